/**
 * The WebCrypto backend (`crypto.subtle`): browsers, Deno, Bun, Cloudflare
 * Workers and Node. The host's `crypto.subtle` and its methods are captured
 * (bound) ONCE, when this module loads, and never looked up again: a script
 * that later defines or replaces `globalThis.crypto`, `crypto.subtle` or a
 * `SubtleCrypto.prototype` method cannot change what licensekit verifies with.
 * Where there was no `crypto.subtle` at load, `supports()` is false for good
 * (load polyfills first, or build a backend from an explicit `SubtleCrypto`
 * with {@link createWebCryptoBackend}). Asynchronous only (no `verifySync`).
 *
 * Ed25519 in WebCrypto is recent (Node 20, Chrome 137, Firefox 129, Safari 17).
 * Support is detected lazily by importing a known public key and cached; until
 * the probe has answered, `supports('EdDSA')` is optimistic. Call
 * {@link probeWebCryptoEd25519} first for a definite answer.
 */
import { isSignatureAlgorithm, PS256_SALT_LENGTH, pssSaltLength, type SignatureAlgorithm } from '../lib/algorithms.ts';
import { BackendError } from '../lib/errors.ts';
import { exportSpki } from '../keys/export.ts';
import { keyFitsAlgorithm, type PublicKey } from '../keys/public-key.ts';
import type { JwkKeyPair, PrivateJwk, SignatureBackend } from './backend.ts';

const RSA_PARAMS = Object.freeze({ name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const);
const RSA_SHA1_PARAMS = Object.freeze({ name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-1' } as const);
const ED25519_PARAMS = Object.freeze({ name: 'Ed25519' } as const);

/**
 * What WebCrypto needs for an algorithm: the parameters a key is imported
 * with (a CryptoKey belongs to one algorithm, so an RSA key used for RS256
 * and PS256 is imported once for each) and those `sign`/`verify` take.
 */
interface WebCryptoAlgorithm {
  readonly importParams: RsaHashedImportParams | Algorithm;
  readonly useParams: RsaPssParams | Algorithm;
}

const PSS: WebCryptoAlgorithm = Object.freeze({
  importParams: Object.freeze({ name: 'RSA-PSS', hash: 'SHA-256' }),
  useParams: Object.freeze({ name: 'RSA-PSS', saltLength: PS256_SALT_LENGTH }),
});

const WEBCRYPTO_ALGORITHMS: Readonly<Record<SignatureAlgorithm, WebCryptoAlgorithm>> = Object.freeze({
  RS256: Object.freeze({ importParams: RSA_PARAMS, useParams: RSA_PARAMS }),
  // COSE/JOSE PS256: MGF1 uses the message hash, and the salt is exactly PS256_SALT_LENGTH bytes (WebCrypto checks it exactly).
  PS256: PSS,
  EdDSA: Object.freeze({ importParams: ED25519_PARAMS, useParams: ED25519_PARAMS }),
  RS1: Object.freeze({ importParams: RSA_SHA1_PARAMS, useParams: RSA_SHA1_PARAMS }),
  // Keygen's PSS: the salt is the maximum for the key (see `pssSaltLength`); `useParamsFor` sets it per key.
  'PS256-MAX': PSS,
});

/** The `sign`/`verify` parameters of `algorithm` for a key of `modulusBits` bits (PS256-MAX's salt depends on the key). */
function useParamsFor(algorithm: SignatureAlgorithm, params: WebCryptoAlgorithm, modulusBits: number): RsaPssParams | Algorithm {
  return algorithm === 'PS256-MAX' ? { name: 'RSA-PSS', saltLength: pssSaltLength(algorithm, modulusBits) } : params.useParams;
}

/** The Ed25519 base point's encoding: a valid public key for the support probe. */
const PROBE_KEY = Uint8Array.of(
  0x58, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
  0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
);

/** The `SubtleCrypto` methods licensekit calls, bound to their object when captured. */
interface Subtle {
  readonly importKey: SubtleCrypto['importKey'];
  readonly verify: SubtleCrypto['verify'];
  readonly sign: SubtleCrypto['sign'];
  readonly generateKey: SubtleCrypto['generateKey'];
  readonly exportKey: SubtleCrypto['exportKey'];
}

/** Binds the methods of `subtle` now; `null` when it is not a usable SubtleCrypto. */
function captureSubtle(subtle: unknown): Subtle | null {
  if (typeof subtle !== 'object' || subtle === null) return null;
  const s = subtle as Record<string, unknown>;
  const names = ['importKey', 'verify', 'sign', 'generateKey', 'exportKey'] as const;
  const bound: Partial<Record<(typeof names)[number], unknown>> = {};
  for (const name of names) {
    const method = s[name];
    if (typeof method !== 'function') return null;
    bound[name] = method.bind(subtle);
  }
  return Object.freeze(bound) as Subtle;
}

/** `globalThis.crypto.subtle` as it is right now (read once, at module load). */
function hostSubtle(): unknown {
  try {
    return (globalThis as { crypto?: { subtle?: unknown } }).crypto?.subtle;
  } catch {
    return undefined;
  }
}

function paramsFor(algorithm: SignatureAlgorithm): WebCryptoAlgorithm {
  if (isSignatureAlgorithm(algorithm)) return WEBCRYPTO_ALGORITHMS[algorithm];
  throw new BackendError('ERR_ALGORITHM_UNSUPPORTED', `webcrypto backend does not support ${String(algorithm)}`);
}

function isNotSupported(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'NotSupportedError' || (error instanceof TypeError && /algorithm|unrecognized|not supported/i.test(error.message));
}

/** Keeps the members the JWK RFCs define for the key type (drops `alg`, `ext`, `key_ops`). */
function plainJwk(jwk: JsonWebKey, members: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of members) {
    const v = Object.hasOwn(jwk, m) ? (jwk as Record<string, unknown>)[m] : undefined;
    if (typeof v === 'string') out[m] = v;
  }
  return out;
}

const RSA_PUBLIC = ['kty', 'n', 'e'] as const;
const RSA_PRIVATE = [...RSA_PUBLIC, 'd', 'p', 'q', 'dp', 'dq', 'qi'] as const;
const OKP_PUBLIC = ['kty', 'crv', 'x'] as const;
const OKP_PRIVATE = [...OKP_PUBLIC, 'd'] as const;

/** A WebCrypto backend plus its Ed25519 probe. */
interface WebCryptoInstance {
  readonly backend: SignatureBackend;
  readonly probeEd25519: () => Promise<boolean>;
}

function createInstance(subtle: unknown): WebCryptoInstance {
  const s = captureSubtle(subtle);
  let ed25519Support: boolean | undefined;
  let ed25519Probe: Promise<boolean> | undefined;
  // One cache per algorithm: an RSA key that fits RS256 and PS256 has a CryptoKey for each.
  const cryptoKeys: Readonly<Record<SignatureAlgorithm, WeakMap<PublicKey, Promise<CryptoKey>>>> = {
    RS256: new WeakMap(),
    PS256: new WeakMap(),
    EdDSA: new WeakMap(),
    RS1: new WeakMap(),
    'PS256-MAX': new WeakMap(),
  };

  const requireSubtle = (): Subtle => {
    if (!s) throw new BackendError('ERR_BACKEND_UNAVAILABLE', 'WebCrypto (crypto.subtle) was not available when licensekit loaded');
    return s;
  };

  const probeEd25519 = (): Promise<boolean> => {
    if (ed25519Support !== undefined) return Promise.resolve(ed25519Support);
    if (!s) return Promise.resolve(false);
    ed25519Probe ??= (async () => {
      try {
        await s.importKey('raw', PROBE_KEY, ED25519_PARAMS, false, ['verify']);
        ed25519Support = true;
      } catch {
        ed25519Support = false;
      }
      return ed25519Support;
    })();
    return ed25519Probe;
  };

  const cryptoKeyFor = (subtleNow: Subtle, algorithm: SignatureAlgorithm, key: PublicKey): Promise<CryptoKey> => {
    const cache = cryptoKeys[algorithm];
    let pending = cache.get(key);
    if (!pending) {
      // SPKI, not JWK: WebIDL's JsonWebKey conversion reads members (`d`, `alg`) a polluted Object.prototype would supply.
      pending = subtleNow.importKey('spki', exportSpki(key) as Uint8Array<ArrayBuffer>, paramsFor(algorithm).importParams, false, ['verify']);
      cache.set(key, pending);
      pending.catch(() => cache.delete(key));
    }
    return pending;
  };

  const verify = async (algorithm: SignatureAlgorithm, key: PublicKey, data: Uint8Array, signature: Uint8Array): Promise<boolean> => {
    const params = paramsFor(algorithm);
    const subtleNow = requireSubtle();
    if (algorithm === 'EdDSA' && ed25519Support === false) {
      throw new BackendError('ERR_ALGORITHM_UNSUPPORTED', 'this host\'s WebCrypto has no Ed25519');
    }
    if (!keyFitsAlgorithm(key, algorithm)) return false;
    // Copy before the first await: callers may reuse their buffers.
    const dataCopy = data.slice();
    const signatureCopy = signature.slice();
    let cryptoKey: CryptoKey;
    try {
      cryptoKey = await cryptoKeyFor(subtleNow, algorithm, key);
    } catch (error) {
      if (algorithm === 'EdDSA' && isNotSupported(error) && !(await probeEd25519())) {
        throw new BackendError('ERR_ALGORITHM_UNSUPPORTED', 'this host\'s WebCrypto has no Ed25519', { cause: error });
      }
      return false;
    }
    try {
      return (await subtleNow.verify(useParamsFor(algorithm, params, key.bits), cryptoKey, signatureCopy, dataCopy)) === true;
    } catch {
      return false;
    }
  };

  const backend: SignatureBackend = {
    name: 'webcrypto',
    supports: (algorithm) => {
      if (!s || !isSignatureAlgorithm(algorithm)) return false;
      if (algorithm !== 'EdDSA') return true; // every RSA algorithm of the registry
      if (ed25519Support === undefined) void probeEd25519();
      return ed25519Support !== false;
    },
    verify,
    sign: async (algorithm: SignatureAlgorithm, privateJwk: PrivateJwk, data: Uint8Array): Promise<Uint8Array> => {
      const params = paramsFor(algorithm);
      const subtleNow = requireSubtle();
      const dataCopy = data.slice();
      const key = await subtleNow.importKey('jwk', { ...privateJwk } as JsonWebKey, params.importParams, false, ['sign']);
      const modulusBits = (key.algorithm as Partial<RsaHashedKeyAlgorithm>).modulusLength ?? 0;
      return new Uint8Array(await subtleNow.sign(useParamsFor(algorithm, params, modulusBits), key, dataCopy));
    },
    generateKeyPair: async (algorithm: SignatureAlgorithm, options?: { modulusLength?: number }): Promise<JwkKeyPair> => {
      const subtleNow = requireSubtle();
      const rsa = algorithm !== 'EdDSA';
      const params = rsa
        ? { ...paramsFor(algorithm).importParams, modulusLength: options?.modulusLength ?? 2048, publicExponent: Uint8Array.of(1, 0, 1) }
        : paramsFor(algorithm).importParams;
      const pair = (await subtleNow.generateKey(params, true, ['sign', 'verify'])) as CryptoKeyPair;
      const [privateJwk, publicJwk] = await Promise.all([subtleNow.exportKey('jwk', pair.privateKey), subtleNow.exportKey('jwk', pair.publicKey)]);
      return {
        privateJwk: plainJwk(privateJwk, rsa ? RSA_PRIVATE : OKP_PRIVATE),
        publicJwk: plainJwk(publicJwk, rsa ? RSA_PUBLIC : OKP_PUBLIC),
      };
    },
  };
  return { backend: Object.freeze(backend), probeEd25519 };
}

/**
 * A WebCrypto backend over an explicit `SubtleCrypto` (captured now: its
 * methods are bound at this call and never looked up again). For hosts whose
 * WebCrypto appears only after licensekit loaded, or for a vetted polyfill.
 *
 * @example
 * ```ts
 * const backend = createWebCryptoBackend(window.crypto.subtle);
 * const verdict = await verifyLicense(text, { key, backend });
 * ```
 */
export function createWebCryptoBackend(subtle: object): SignatureBackend {
  return createInstance(subtle).backend;
}

const host = createInstance(hostSubtle());

/**
 * Whether this host's WebCrypto verifies Ed25519. Probed once, then cached;
 * `webcryptoBackend.supports('EdDSA')` reflects the answer from then on.
 */
export function probeWebCryptoEd25519(): Promise<boolean> {
  return host.probeEd25519();
}

/**
 * WebCrypto backend (RS256, PS256, Ed25519, RS1 and PS256-MAX; async verify only; sign and keygen),
 * over the `crypto.subtle` this host had when licensekit loaded.
 *
 * @example
 * ```ts
 * if (webcryptoBackend.supports('RS256')) ok = await webcryptoBackend.verify('RS256', key, data, sig);
 * ```
 */
export const webcryptoBackend: SignatureBackend = host.backend;
