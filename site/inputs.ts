/**
 * The page's form, read into `verifyLicense` options the way the CLI's verify
 * flags are read (same names, same limits), without touching the DOM, so the
 * rules are tested in Node. A bad field is reported against that field; the
 * library still validates every option itself.
 */
import type { FeatureNumber, VerifyOptions } from '../src/index.ts';

/** The form's raw values: every text field as typed. */
export interface FormValues {
  readonly now: string;
  readonly tolerance: string;
  readonly machineCode: string;
  readonly productId: string;
  readonly requireFeatures: string;
  readonly featureNames: string;
  readonly timeLimitedFeature: string;
  readonly trialFeature: string;
  readonly maxSignatureAgeDays: string;
  readonly graceDays: string;
  readonly allowOverdraft: boolean;
  readonly licenseeSecret: string;
  /** Keygen: the license key that decrypts an encrypted license file. */
  readonly keygenLicenseKey: string;
  /** Keygen: the machine fingerprint a machine file is checked (or decrypted) with. */
  readonly keygenFingerprint: string;
  readonly backend: string;
}

/** A problem with one field (`field` is the FormValues name). */
export interface FieldError {
  readonly field: keyof FormValues | 'key';
  readonly message: string;
}

/** Options from the form, without `key` and `now`. */
export type FormOptions = Omit<VerifyOptions, 'key' | 'now'> & Record<string, unknown>;

export interface ReadForm {
  /** `null` when the field is empty: the clock is read when the license is checked. */
  readonly now: Date | null;
  readonly options: FormOptions;
  readonly errors: readonly FieldError[];
}

/** The ISO 8601 forms the CLI's `--now` takes: a date, or a date and time with an optional zone (none = UTC). */
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** Parses an ISO 8601 date as the CLI's `--now` does (a time without a zone is UTC); `null` when it is not one or not a real date. */
export function parseIsoDate(text: string): Date | null {
  const m = ISO_8601.exec(text.trim());
  if (!m) return null;
  const [year, month, day, hour = 0, minute = 0, second = 0] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((v) => (v === undefined ? undefined : Number(v))) as number[];
  const real = new Date(Date.UTC(year!, month! - 1, day!, hour, minute, second));
  if (real.getUTCFullYear() !== year || real.getUTCMonth() !== month! - 1 || real.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return null;
  const t = text.trim();
  const ms = Date.parse(t.includes('T') && m[7] === undefined ? `${t}Z` : t);
  return Number.isNaN(ms) ? null : new Date(ms);
}

function nonNegative(field: keyof FormValues, text: string, errors: FieldError[], integer = false): number | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  const n = Number(t);
  if (!/^\d+(\.\d+)?$/.test(t) || !Number.isFinite(n) || (integer && !Number.isSafeInteger(n))) {
    errors.push({ field, message: integer ? `a whole number ≥ 0, got "${t}"` : `a number ≥ 0, got "${t}"` });
    return undefined;
  }
  return n;
}

function featureNumber(field: keyof FormValues, text: string, errors: FieldError[]): FeatureNumber | undefined {
  const t = text.trim().replace(/^F/i, '');
  if (t === '') return undefined;
  if (!/^[1-8]$/.test(t)) {
    errors.push({ field, message: `a feature number 1-8 (or F1-F8), got "${text.trim()}"` });
    return undefined;
  }
  return Number(t) as FeatureNumber;
}

/** Splits a list typed with commas or spaces. */
export function listOf(text: string): string[] {
  return text.split(/[\s,;]+/).filter((t) => t !== '');
}

/** Reads the form. Empty fields are absent options; bad ones are errors naming the field. */
export function readForm(v: FormValues): ReadForm {
  const errors: FieldError[] = [];
  const options: Record<string, unknown> = {};
  let now: Date | null = null;
  if (v.now.trim() !== '') {
    now = parseIsoDate(v.now);
    if (now === null) errors.push({ field: 'now', message: `an ISO 8601 date such as 2026-11-22T12:00:00Z, got "${v.now.trim()}"` });
  }
  const tolerance = nonNegative('tolerance', v.tolerance, errors);
  if (tolerance !== undefined) options.clockToleranceSeconds = tolerance;
  if (v.machineCode.trim() !== '') options.machineCode = v.machineCode.trim();
  const product = v.productId.trim();
  if (product !== '') options.productId = /^\d{1,15}$/.test(product) ? Number(product) : product;
  const required = listOf(v.requireFeatures).map((r) => {
    if (!/^\d+$/.test(r)) return r;
    if (!/^[1-8]$/.test(r)) errors.push({ field: 'requireFeatures', message: `feature numbers are 1-8, got ${r}` });
    return Number(r) as FeatureNumber;
  });
  if (required.length > 0) options.requireFeatures = required;
  const featureNames: Record<string, FeatureNumber> = {};
  for (const entry of listOf(v.featureNames)) {
    const m = /^(.+)=F?([1-8])$/i.exec(entry);
    if (!m) errors.push({ field: 'featureNames', message: `NAME=N with N in 1-8, got "${entry}"` });
    else featureNames[m[1]!] = Number(m[2]) as FeatureNumber;
  }
  const timeLimitedFeature = featureNumber('timeLimitedFeature', v.timeLimitedFeature, errors);
  const trialFeature = featureNumber('trialFeature', v.trialFeature, errors);
  if (Object.keys(featureNames).length > 0 || timeLimitedFeature !== undefined || trialFeature !== undefined) {
    options.product = {
      ...(Object.keys(featureNames).length > 0 ? { featureNames } : {}),
      ...(timeLimitedFeature !== undefined ? { timeLimitedFeature } : {}),
      ...(trialFeature !== undefined ? { trialFeature } : {}),
    };
  }
  const maxAge = nonNegative('maxSignatureAgeDays', v.maxSignatureAgeDays, errors);
  if (maxAge !== undefined) options.maxSignatureAgeDays = maxAge;
  const grace = nonNegative('graceDays', v.graceDays, errors, true);
  if (grace !== undefined) options.graceDays = grace;
  if (v.allowOverdraft) options.allowOverdraft = true;
  if (v.licenseeSecret !== '') options.licenseeSecret = v.licenseeSecret;
  // Keygen's options (issue 11), passed only when given, so the page also works with a library without them.
  if (v.keygenLicenseKey.trim() !== '') options.licenseKey = v.keygenLicenseKey.trim();
  if (v.keygenFingerprint.trim() !== '') options.fingerprint = v.keygenFingerprint.trim();
  if (v.backend === 'webcrypto' || v.backend === 'purejs') options.backend = v.backend;
  return { now, options: options as FormOptions, errors };
}

/** PEM blocks of public keys in a text. */
const PEM_BLOCK = /-----BEGIN [A-Z0-9 ]+-----[\s\S]*?-----END [A-Z0-9 ]+-----/g;
const XML_KEY = /<RSAKeyValue>[\s\S]*?<\/RSAKeyValue>/g;

/**
 * The `key` option from the key field: one key as typed (PEM, RSAKeyValue XML,
 * a JWK or a JWK Set as JSON, which the library reads itself), several PEM or
 * XML keys pasted one after another as a key ring (an array), or a JSON array
 * of keys. `null` when the field is empty.
 */
export function keyFromText(text: string): string | unknown[] | null {
  const t = text.trim();
  if (t === '') return null;
  if (t.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(t);
      if (Array.isArray(parsed)) return parsed;
    } catch {
      // not JSON: the library says what is wrong with it
    }
    return t;
  }
  for (const pattern of [PEM_BLOCK, XML_KEY]) {
    const blocks = t.match(pattern);
    if (blocks && blocks.length > 1) return blocks;
  }
  return t;
}

/**
 * How a dropped or chosen license file is held: as text when it is UTF-8
 * without control characters (so it shows in the text field and can be
 * edited), else as its bytes (a binary COSE license).
 */
export function fileAsText(bytes: Uint8Array): string | null {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text) ? null : text;
}
