/**
 * The node-forge backend: a pure-JavaScript reference implementation, used to
 * cross-check the others and as the benchmark baseline. Synchronous.
 *
 * forge speaks "binary strings" (one char per byte); conversions live here.
 *
 * RS256 is verified with forge's RSA and PKCS#1 block-type-1 padding check,
 * scheme `'NONE'`, against the complete expected `DigestInfo(SHA-256) || H`:
 * everything after the padding is compared, nothing is parsed as ASN.1. This
 * is stricter than forge's default scheme, whose DigestInfo parser also
 * accepts a missing NULL parameter (which OpenSSL, and so the node backend,
 * refuses).
 *
 * PS256 is forge's EMSA-PSS (`forge.pss`, SHA-256, MGF1-SHA-256, a 32-byte
 * salt) over forge's raw RSA, with the one check forge skips: when the
 * modulus has 8k + 1 bits the encoded message is one byte shorter than the
 * signature, and that leading byte must be zero (RFC 8017 §8.1.2 step 2c;
 * forge drops it unread).
 *
 * Ed25519 is forge's TweetNaCl port. It checks that S is reduced (S < L);
 * we also refuse non-canonical encodings of R and A (y >= p), as RFC 8032
 * §5.1.3 requires and as the pure-JavaScript backend does.
 */
import forge from 'node-forge';
import { PS256_SALT_LENGTH, pssSaltLength, type SignatureAlgorithm } from '../lib/algorithms.ts';
import { encodeBase64Url } from '../lib/bytes.ts';
import { BackendError, KeyError } from '../lib/errors.ts';
import { keyFitsAlgorithm, type PublicKey } from '../keys/public-key.ts';
import type { JwkKeyPair, PrivateJwk, SignatureBackend } from './backend.ts';
import { expectJwkType, jwkBytes } from './private-jwk.ts';

/** DER of `DigestInfo { AlgorithmIdentifier { id-sha256, NULL }, OCTET STRING (32) }` before the digest. */
const SHA256_DIGEST_INFO = '\x30\x31\x30\x0d\x06\x09\x60\x86\x48\x01\x65\x03\x04\x02\x01\x05\x00\x04\x20';

/** DER of `DigestInfo { AlgorithmIdentifier { id-sha1, NULL }, OCTET STRING (20) }` before the digest (RS1). */
const SHA1_DIGEST_INFO = '\x30\x21\x30\x09\x06\x05\x2b\x0e\x03\x02\x1a\x05\x00\x04\x14';

/** Bytes as a forge binary string. */
function toBinary(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode.apply(null, Array.from(bytes.subarray(i, i + 8192)));
  }
  return out;
}

/** A forge binary string as bytes. */
function fromBinary(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

function bigInteger(bytes: Uint8Array): forge.jsbn.BigInteger {
  return new forge.jsbn.BigInteger(forge.util.bytesToHex(toBinary(bytes)) || '0', 16);
}

function unsupported(algorithm: unknown): never {
  throw new BackendError('ERR_ALGORITHM_UNSUPPORTED', `forge backend does not support ${String(algorithm)}`);
}

interface ForgeRsaKey {
  readonly key: forge.pki.rsa.PublicKey;
  readonly k: number;
}

const rsaKeys = new WeakMap<PublicKey, ForgeRsaKey>();

function rsaKeyFor(key: PublicKey): ForgeRsaKey | null {
  let cached = rsaKeys.get(key);
  if (!cached) {
    if (!key.rsa) return null;
    const n = bigInteger(key.rsa.n);
    cached = { key: forge.pki.setRsaPublicKey(n, bigInteger(key.rsa.e)), k: Math.ceil(n.bitLength() / 8) };
    rsaKeys.set(key, cached);
  }
  return cached;
}

function sha256Binary(data: Uint8Array): string {
  const md = forge.md.sha256.create();
  md.update(toBinary(data));
  return md.digest().getBytes();
}

function sha1Binary(data: Uint8Array): string {
  const md = forge.md.sha1.create();
  md.update(toBinary(data));
  return md.digest().getBytes();
}

/** RSASSA-PKCS1-v1_5 against the complete expected `DigestInfo || H` (RS256 with SHA-256, RS1 with SHA-1). */
function verifyPkcs1(key: PublicKey, signature: Uint8Array, expected: string): boolean {
  const rsa = rsaKeyFor(key);
  if (!rsa || signature.length !== rsa.k) return false;
  const sig = toBinary(signature);
  if (new forge.jsbn.BigInteger(forge.util.bytesToHex(sig), 16).compareTo(rsa.key.n) >= 0) return false;
  return rsa.key.verify(expected, sig, 'NONE');
}

function verifyRs256(key: PublicKey, data: Uint8Array, signature: Uint8Array): boolean {
  return verifyPkcs1(key, signature, SHA256_DIGEST_INFO + sha256Binary(data));
}

/** forge's PSS object for PS256 (SHA-256, MGF1-SHA-256, a salt of exactly `saltLength` bytes, 32 by default); `prng` supplies the salt when signing. */
function ps256Scheme(saltLength = PS256_SALT_LENGTH): forge.pss.PSS {
  return forge.pss.create({
    md: forge.md.sha256.create(),
    mgf: forge.mgf.mgf1.create(forge.md.sha256.create()),
    saltLength,
  });
}

/** forge's raw RSA public operation, `pki.rsa.decrypt(ed, key, true, false)` (not in @types/node-forge): the k-byte block. */
function rawPublicRsa(signature: string, key: forge.pki.rsa.PublicKey): string {
  const rsa = forge.pki.rsa as unknown as { decrypt(ed: string, key: forge.pki.rsa.PublicKey, pub: true, ml: false): string };
  return rsa.decrypt(signature, key, true, false);
}

/** PS256 (salt 32) or PS256-MAX (Keygen's: the maximum salt for the key, exactly). */
function verifyPss(algorithm: 'PS256' | 'PS256-MAX', key: PublicKey, data: Uint8Array, signature: Uint8Array): boolean {
  const rsa = rsaKeyFor(key);
  if (!rsa || signature.length !== rsa.k) return false;
  const sig = toBinary(signature);
  // Raw RSA (forge checks the length and s < n), then EMSA-PSS-VERIFY, as forge's own `key.verify(…, pss)` does.
  const block = rawPublicRsa(sig, rsa.key);
  const modBits = rsa.key.n.bitLength();
  const emLen = Math.ceil((modBits - 1) / 8);
  for (let i = 0; i < block.length - emLen; i++) if (block.charCodeAt(i) !== 0) return false;
  return ps256Scheme(pssSaltLength(algorithm, modBits)).verify(sha256Binary(data), block, modBits);
}

/** True when the point encoding's y (sign bit cleared) is canonical, i.e. below p = 2^255 - 19. */
function canonicalY(bytes: Uint8Array, offset: number): boolean {
  if ((bytes[offset + 31]! & 0x7f) !== 0x7f) return true;
  for (let i = 30; i >= 1; i--) if (bytes[offset + i] !== 0xff) return true;
  return bytes[offset]! < 0xed;
}

function verifyEdDSA(key: PublicKey, data: Uint8Array, signature: Uint8Array): boolean {
  const publicKey = key.ed25519;
  if (!publicKey || publicKey.length !== 32 || signature.length !== 64) return false;
  if (!canonicalY(signature, 0) || !canonicalY(publicKey, 0)) return false;
  return forge.pki.ed25519.verify({ message: data, signature, publicKey });
}

function verifySync(algorithm: SignatureAlgorithm, key: PublicKey, data: Uint8Array, signature: Uint8Array): boolean {
  if (algorithm !== 'RS256' && algorithm !== 'PS256' && algorithm !== 'EdDSA' && algorithm !== 'RS1' && algorithm !== 'PS256-MAX') unsupported(algorithm);
  if (!keyFitsAlgorithm(key, algorithm)) return false;
  try {
    if (algorithm === 'RS256') return verifyRs256(key, data, signature);
    if (algorithm === 'RS1') return verifyPkcs1(key, signature, SHA1_DIGEST_INFO + sha1Binary(data));
    if (algorithm === 'PS256' || algorithm === 'PS256-MAX') return verifyPss(algorithm, key, data, signature);
    return verifyEdDSA(key, data, signature);
  } catch {
    return false;
  }
}

/** Signs with RS256 (PKCS#1 v1.5) or PS256 (forge's PSS, salt from forge's CSPRNG). */
function signRsa(algorithm: 'RS256' | 'PS256', privateJwk: PrivateJwk, data: Uint8Array): Uint8Array {
  expectJwkType(privateJwk, 'RSA');
  const num = (name: string) => bigInteger(jwkBytes(privateJwk, name));
  const key = forge.pki.setRsaPrivateKey(num('n'), num('e'), num('d'), num('p'), num('q'), num('dp'), num('dq'), num('qi'));
  const md = forge.md.sha256.create();
  md.update(toBinary(data));
  return fromBinary(algorithm === 'PS256' ? key.sign(md, ps256Scheme()) : key.sign(md));
}

function signEdDSA(privateJwk: PrivateJwk, data: Uint8Array): Uint8Array {
  expectJwkType(privateJwk, 'OKP');
  const seed = jwkBytes(privateJwk, 'd');
  if (seed.length !== 32) throw new KeyError('ERR_KEY_INVALID', `Ed25519 private key "d" must be 32 bytes, got ${seed.length}`);
  return new Uint8Array(forge.pki.ed25519.sign({ message: data, privateKey: seed }));
}

function jwkNumber(value: forge.jsbn.BigInteger): string {
  let hex = value.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  return encodeBase64Url(fromBinary(forge.util.hexToBytes(hex)));
}

function generateKeyPair(algorithm: SignatureAlgorithm, options?: { modulusLength?: number }): Promise<JwkKeyPair> {
  if (algorithm === 'EdDSA') {
    const pair = forge.pki.ed25519.generateKeyPair();
    const publicJwk = { kty: 'OKP', crv: 'Ed25519', x: encodeBase64Url(new Uint8Array(pair.publicKey)) };
    const seed = new Uint8Array(pair.privateKey).subarray(0, 32);
    return Promise.resolve({ publicJwk, privateJwk: { ...publicJwk, d: encodeBase64Url(seed) } });
  }
  if (algorithm !== 'RS256' && algorithm !== 'PS256') unsupported(algorithm);
  return new Promise((resolve, reject) => {
    forge.pki.rsa.generateKeyPair({ bits: options?.modulusLength ?? 2048, e: 0x10001 }, (error, pair) => {
      if (error) return reject(error);
      const k = pair.privateKey;
      const publicJwk = { kty: 'RSA', n: jwkNumber(k.n), e: jwkNumber(k.e) };
      resolve({
        publicJwk,
        privateJwk: {
          ...publicJwk,
          d: jwkNumber(k.d),
          p: jwkNumber(k.p),
          q: jwkNumber(k.q),
          dp: jwkNumber(k.dP),
          dq: jwkNumber(k.dQ),
          qi: jwkNumber(k.qInv),
        },
      });
    });
  });
}

/**
 * node-forge backend (RS256, PS256 and Ed25519; RS1 and PS256-MAX verify only; sync verify; sign and keygen).
 *
 * @example
 * ```ts
 * const ok = forgeBackend.verifySync!('RS256', key, data, signature);
 * ```
 */
export const forgeBackend: SignatureBackend = {
  name: 'forge',
  supports: (algorithm) => algorithm === 'RS256' || algorithm === 'PS256' || algorithm === 'EdDSA' || algorithm === 'RS1' || algorithm === 'PS256-MAX',
  verify: async (algorithm, key, data, signature) => verifySync(algorithm, key, data, signature),
  verifySync,
  sign: async (algorithm: SignatureAlgorithm, privateJwk: PrivateJwk, data: Uint8Array): Promise<Uint8Array> => {
    if (algorithm === 'RS256' || algorithm === 'PS256') return signRsa(algorithm, privateJwk, data);
    if (algorithm === 'EdDSA') return signEdDSA(privateJwk, data);
    return unsupported(algorithm);
  },
  generateKeyPair,
};
