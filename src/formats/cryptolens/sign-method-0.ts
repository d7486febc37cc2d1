/**
 * Cryptolens' legacy SignMethod=0 ("LinqSign") files, as the .NET client saved
 * them: a `LicenseKey` object (PascalCase from `SaveToFile`, or camelCase inside
 * a `{"licenseKey": {...}, "result", "message"}` response) whose `Signature` is
 * RSASSA-PKCS1-v1_5 SHA-256 over the UTF-16LE bytes of its property values
 * joined with commas. The signed bytes are therefore a RE-SERIALISATION of
 * what was received, never the received bytes: this module is strict about
 * every value it re-serialises, and the license read afterwards holds only
 * what the signature covers.
 *
 * The signed string, each value followed by a comma (so it ends with one):
 *
 * `ProductId` (absent in the March 2016 model), `ID`, `Key`, `Created`,
 * `Expires`, `Period`, `F1`…`F8`, `Notes`, `Block`, `GlobalId`, `Customer`,
 * `[ActivatedMachines]`, `TrialActivation`, `AutomaticActivation` (only in the
 * pre-June-2016 model, whose files carry the property), `MaxNoOfMachines`,
 * `AllowedMachines`, `[DataObjects]`, `SignDate`.
 *
 * Canonical form of each value:
 * - integers: decimal, a `-` for negatives (JSON integers only, within ±(2^53 − 1));
 * - booleans: `True` / `False` (JSON booleans only);
 * - text: as is; `null` is the empty string (so `null` and `""` sign the same,
 *   and the license keeps the file's spelling: no rule tells them apart);
 * - dates: `yyyy-MM-ddTHH:mm:ss`, the file's zone-less ISO date cut to whole
 *   seconds (a fraction is not signed, so the license drops it); a zone
 *   designator or a number is refused (.NET would shift it to local time);
 * - `Customer`: empty when `null`, else `Name,Email,CompanyName,Created` (its
 *   `Id` is not signed and is dropped);
 * - `ActivatedMachines`: `[` + `Mid,IP,Time,` per machine + `]` (a machine's
 *   `FriendlyName` and `FloatingExpires` are not signed and are dropped);
 * - `DataObjects`: `[]`. No public file shows how a non-empty list is signed,
 *   so one is refused (`ERR_FORMAT_UNSUPPORTED`), never guessed.
 *
 * Ambiguity is refused (`ERR_ENVELOPE_INVALID`): a text value containing `,`,
 * `[` or `]` could move a field boundary (two values that sign the same string
 * would read as different licenses), and a `Key` shaped like a date could make
 * the models with and without `ProductId` read the same string. With those
 * refused, the signed string splits back into exactly one set of fields.
 * Properties the signature does not cover (`Reseller`, `RawResponse`, unknown
 * ones) are never read.
 */
import { decodeBase64 } from '../../lib/bytes.ts';
import { LicenseInputError, UnsupportedFormatError } from '../../lib/errors.ts';
import type { CryptolensEnvelope } from './envelope.ts';
import { lowerKeyIndex } from './field-names.ts';

/** A SignMethod=0 envelope: the re-serialised signed bytes, and the signed values the license is read from. */
export interface SignMethod0Envelope extends CryptolensEnvelope {
  readonly signMethod: 0;
  /** The signed values only, as a SignMethod=1 payload would spell them (read after the signature verified). */
  readonly signedPayload: Readonly<Record<string, unknown>>;
  /** The signed string (its UTF-16LE bytes are `signedBytes`), for `inspect`. */
  readonly signedString: string;
}

const DATE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d{1,7})?$/;
const AMBIGUOUS = /[,[\]]/;

function invalid(message: string): never {
  throw new LicenseInputError('ERR_ENVELOPE_INVALID', `SignMethod=0 license: ${message}`);
}

/** Reads one object's properties case-insensitively (own properties only; two spellings of one name are refused). */
function fieldsOf(value: unknown, where: string): ((name: string) => unknown) & { spelling(name: string): string | undefined } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid(`${where} must be an object`);
  const object = value as Record<string, unknown>;
  const index = lowerKeyIndex(object, where, invalid);
  const get = (name: string): unknown => {
    const k = index.get(name);
    return k === undefined ? undefined : object[k];
  };
  return Object.assign(get, { spelling: (name: string) => index.get(name) });
}

/** Builds the signed string and the signed payload, value by value, in the signed order. */
class Writer {
  text = '';
  constructor(private readonly get: (name: string) => unknown, private readonly where: string) {}
  private raw(name: string): unknown {
    const v = this.get(name.toLowerCase());
    if (v === undefined) {
      throw new UnsupportedFormatError(`${this.where} has no "${name}": a SignMethod=0 file carries every signed property, so this is not one licensekit can verify`);
    }
    return v;
  }
  private put(text: string): void {
    this.text += text + ',';
  }
  int(name: string): number {
    const v = this.raw(name);
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) invalid(`${this.where}.${name} must be an integer`);
    this.put(String(v));
    return v;
  }
  bool(name: string): boolean {
    const v = this.raw(name);
    if (typeof v !== 'boolean') invalid(`${this.where}.${name} must be true or false`);
    this.put(v ? 'True' : 'False');
    return v;
  }
  str(name: string): string | null {
    const v = this.raw(name);
    if (v !== null && typeof v !== 'string') invalid(`${this.where}.${name} must be a string or null`);
    if (v !== null && AMBIGUOUS.test(v)) invalid(`${this.where}.${name} contains "," "[" or "]", which would make the signed string ambiguous`);
    this.put(v ?? '');
    return v;
  }
  date(name: string): string {
    const v = this.raw(name);
    const m = typeof v === 'string' ? DATE.exec(v) : null;
    if (!m) invalid(`${this.where}.${name} must be a zone-less ISO date (yyyy-MM-ddTHH:mm:ss[.fffffff])`);
    this.put(m[1]!);
    return m[1]!;
  }
  array(name: string): readonly unknown[] {
    const v = this.raw(name);
    if (!Array.isArray(v)) invalid(`${this.where}.${name} must be an array`);
    return v;
  }
}

/** UTF-16LE code units, as .NET's `Buffer.BlockCopy` of the string's chars gives them (lone surrogates included). */
function utf16le(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[2 * i] = c & 0xff;
    out[2 * i + 1] = c >> 8;
  }
  return out;
}

/**
 * Parses a SignMethod=0 `LicenseKey` object (the whole file for `SaveToFile`,
 * or a response's `licenseKey`) into an envelope. `result` and `message` are
 * the response's unsigned fields, when there is a response around it.
 */
export function parseSignMethod0(licenseKey: unknown, result: number | null, message: string | null): SignMethod0Envelope {
  const get = fieldsOf(licenseKey, 'LicenseKey');
  const w = new Writer(get, 'LicenseKey');
  const payload: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  if (get('productid') !== undefined) payload.ProductId = w.int('ProductId');
  payload.ID = w.int('ID');
  const key = (payload.Key = w.str('Key'));
  if (key !== null && DATE.test(key)) invalid('LicenseKey.Key looks like a date, which would make the signed string ambiguous');
  payload.Created = w.date('Created');
  payload.Expires = w.date('Expires');
  payload.Period = w.int('Period');
  for (let i = 1; i <= 8; i++) payload[`F${i}`] = w.bool(`F${i}`);
  payload.Notes = w.str('Notes');
  payload.Block = w.bool('Block');
  payload.GlobalId = w.int('GlobalId');
  const customer = get('customer');
  if (customer === undefined) w.str('Customer'); // refuses the missing property
  if (customer === null) {
    w.str('Customer');
    payload.Customer = null;
  } else {
    const c = new Writer(fieldsOf(customer, 'LicenseKey.Customer'), 'LicenseKey.Customer');
    payload.Customer = { Name: c.str('Name'), Email: c.str('Email'), CompanyName: c.str('CompanyName'), Created: c.date('Created') };
    w.text += c.text;
  }
  const machines = w.array('ActivatedMachines');
  w.text += '[';
  const signedMachines: unknown[] = [];
  for (let i = 0; i < machines.length; i++) {
    const where = `LicenseKey.ActivatedMachines[${i}]`;
    const m = new Writer(fieldsOf(Object.hasOwn(machines, i) ? machines[i] : undefined, where), where);
    signedMachines.push({ Mid: m.str('Mid'), IP: m.str('IP'), Time: m.date('Time') });
    w.text += m.text;
  }
  w.text += '],';
  payload.ActivatedMachines = signedMachines;
  payload.TrialActivation = w.bool('TrialActivation');
  // Kept as the file spells it, among the claims licensekit does not model (as a SignMethod=1 payload's would be).
  const automatic = get.spelling('automaticactivation');
  if (automatic !== undefined) payload[automatic] = w.bool('AutomaticActivation');
  payload.MaxNoOfMachines = w.int('MaxNoOfMachines');
  payload.AllowedMachines = w.str('AllowedMachines');
  if (w.array('DataObjects').length !== 0) {
    throw new UnsupportedFormatError('this SignMethod=0 license has data objects, whose signed form no public file shows; re-save it with Sign=true&SignMethod=1');
  }
  w.text += '[],';
  payload.DataObjects = [];
  payload.SignDate = w.date('SignDate');
  const signature = get('signature');
  if (typeof signature !== 'string') invalid('"Signature" must be a base64 string');
  const signatureBytes = decodeBase64(signature);
  if (typeof signatureBytes === 'string') throw new LicenseInputError('ERR_BASE64_INVALID', `Signature is not valid base64 (${signatureBytes})`);
  if (signatureBytes.length === 0) invalid('"Signature" is empty');
  return {
    format: 'cryptolens',
    form: 'json',
    signMethod: 0,
    algorithm: 'RS256',
    keyId: null,
    signedBytes: utf16le(w.text),
    signature: signatureBytes,
    result,
    message,
    metadata: null,
    signedPayload: Object.freeze(payload),
    signedString: w.text,
  };
}
