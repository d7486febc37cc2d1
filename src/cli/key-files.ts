/**
 * Reading the key files the CLI is given (`verify --key`, `issue
 * --private-key`). A problem names the flag and the file, says what the file
 * looks like when it is a different kind of file (a license, a public key
 * where the private one belongs), and what is expected. Every problem exits 3.
 */
import { readLimited, FileReadError } from './files.ts';
import { CliExit, EXIT } from './io.ts';
import { decodeUtf8 } from '../lib/bytes.ts';
import { isLicenseKitError, KeyError, type LicenseKitError } from '../lib/errors.ts';
import { MAX_KEY_INPUT_BYTES } from '../keys/import.ts';
import { importKeyRing } from '../keys/ring.ts';

/** What a key file's text looks like, in words, or `undefined` when it is none of the kinds recognised. */
export function looksLike(text: string): string | undefined {
  const t = text.trimStart();
  if (/^v\d{8}-/.test(t)) return 'a license file (compact form)';
  if (t.startsWith('<')) return /^<RSAKeyValue>/i.test(t) && /<D>/i.test(t) ? 'an <RSAKeyValue> XML private key' : 'an <RSAKeyValue> XML public key';
  if (t.startsWith('-----BEGIN')) {
    const label = /^-----BEGIN ([A-Z0-9 ]+)-----/.exec(t)?.[1] ?? 'PEM';
    return `a PEM file (${label})`;
  }
  if (!t.startsWith('{') && !t.startsWith('"')) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(t);
  } catch {
    return undefined;
  }
  if (typeof json === 'string') return 'a JSON string (perhaps a saved license response)';
  if (typeof json !== 'object' || json === null) return undefined;
  const has = (name: string): boolean => Object.keys(json as object).some((k) => k.toLowerCase() === name);
  if (has('licensekey') || has('signature')) return 'a license file (.skm)';
  if (has('kty')) return has('d') ? 'a private JWK' : 'a public JWK';
  return undefined;
}

async function readKeyBytes(flag: string, path: string, expected: string): Promise<Uint8Array> {
  try {
    return await readLimited(path, MAX_KEY_INPUT_BYTES);
  } catch (error) {
    if (error instanceof FileReadError || isLicenseKitError(error)) throw new CliExit(EXIT.KEY, `--${flag}: ${(error as Error).message}; ${expected}`);
    throw error;
  }
}

const PUBLIC_EXPECTED = 'expected the vendor public key (<RSAKeyValue> XML, PEM or JWK) or a JWK Set of keys';

/**
 * Reads the public key or key ring that `verify --key PATH` names, checks it
 * imports (one key, or a JWK Set), and returns its text (or DER bytes) for
 * the `key` option; exits 3 with a message naming the flag otherwise.
 */
export async function readPublicKeyFlag(flag: string, path: string): Promise<string | Uint8Array> {
  const bytes = await readKeyBytes(flag, path, PUBLIC_EXPECTED);
  const text = decodeUtf8(bytes);
  // Text first (PEM, XML, JWK, hex, base64 DER), then binary DER (a SEQUENCE, 0x30). Not by the first byte alone:
  // 0x30 is also the digit "0" that one hex key in sixteen starts with.
  const forms = [...(text === null ? [] : [text]), ...(bytes[0] === 0x30 ? [bytes] : [])];
  let failure: LicenseKitError | null = null;
  for (const form of forms) {
    try {
      importKeyRing(form);
      return form;
    } catch (error) {
      if (!isLicenseKitError(error)) throw error;
      failure ??= error;
    }
  }
  const error = failure ?? new KeyError('ERR_KEY_INVALID', 'the file is neither UTF-8 text nor DER');
  const kind = looksLike(text ?? '');
  const what = kind !== undefined && (kind.startsWith('a license') || kind.includes('JSON string')) ? `this is ${kind}, not a key` : `[${error.code}] ${error.message}`;
  throw new CliExit(EXIT.KEY, `--${flag} ${path}: ${what}; ${PUBLIC_EXPECTED}`);
}

const PRIVATE_EXPECTED = 'expected the private JWK that licensekit keygen wrote (private.jwk.json)';

/** Reads the private JWK `issue --private-key PATH` names, or exits 3 with a message naming the flag. */
export async function readPrivateJwkFlag(flag: string, path: string): Promise<Record<string, string>> {
  const text = decodeUtf8(await readKeyBytes(flag, path, PRIVATE_EXPECTED)) ?? '';
  const kind = looksLike(text);
  let jwk: unknown;
  try {
    jwk = JSON.parse(text);
  } catch {
    throw new CliExit(EXIT.KEY, `--${flag} ${path}: ${kind !== undefined ? `this is ${kind}` : 'not JSON'}; ${PRIVATE_EXPECTED}`);
  }
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk) || typeof (jwk as { d?: unknown }).d !== 'string') {
    throw new CliExit(EXIT.KEY, `--${flag} ${path}: ${kind !== undefined ? `this is ${kind}` : 'not a private JWK (no "d" member)'}; ${PRIVATE_EXPECTED}`);
  }
  return jwk as Record<string, string>;
}
