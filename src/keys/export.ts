/**
 * Writing public keys in the forms vendors ship: Cryptolens `<RSAKeyValue>`
 * XML, PEM SPKI and JWK. The inverse of `import.ts`.
 */
import { encodeBase64 } from '../lib/bytes.ts';
import type { PublicKey } from './public-key.ts';

function derLength(length: number): number[] {
  if (length < 128) return [length];
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 255);
  return [0x80 | bytes.length, ...bytes];
}

function der(tag: number, contents: Uint8Array): Uint8Array {
  const head = [tag, ...derLength(contents.length)];
  const out = new Uint8Array(head.length + contents.length);
  out.set(head, 0);
  out.set(contents, head.length);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function derUnsigned(bytes: Uint8Array): Uint8Array {
  return der(0x02, bytes[0]! & 0x80 ? concat(new Uint8Array([0]), bytes) : bytes);
}

const RSA_ALGORITHM = Uint8Array.from([0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00]);
const ED25519_ALGORITHM = Uint8Array.from([0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70]);

/** DER SubjectPublicKeyInfo of the key. */
export function exportSpki(key: PublicKey): Uint8Array {
  if (key.type === 'rsa') {
    const pkcs1 = der(0x30, concat(derUnsigned(key.rsa!.n), derUnsigned(key.rsa!.e)));
    return der(0x30, concat(RSA_ALGORITHM, der(0x03, concat(new Uint8Array([0]), pkcs1))));
  }
  return der(0x30, concat(ED25519_ALGORITHM, der(0x03, concat(new Uint8Array([0]), key.ed25519!))));
}

/** PEM `PUBLIC KEY` (SPKI) text of the key. */
export function exportPem(key: PublicKey): string {
  const body = encodeBase64(exportSpki(key)).replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN PUBLIC KEY-----\n${body}\n-----END PUBLIC KEY-----\n`;
}

/** Cryptolens' `<RSAKeyValue>` XML of an RSA key (the form Cryptolens' dashboard shows). */
export function exportRsaKeyValueXml(key: PublicKey): string {
  if (key.type !== 'rsa') throw new TypeError('RSAKeyValue XML holds RSA keys only');
  return `<RSAKeyValue><Modulus>${encodeBase64(key.rsa!.n)}</Modulus><Exponent>${encodeBase64(key.rsa!.e)}</Exponent></RSAKeyValue>`;
}
