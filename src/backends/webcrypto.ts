/**
 * The WebCrypto backend (`globalThis.crypto.subtle`): browsers, Deno, Bun,
 * Cloudflare Workers and Node. `subtle` is looked up at call time, never
 * imported, so this module loads anywhere; `supports()` is false where it is
 * absent. Asynchronous only (there is no `verifySync`).
 *
 * Ed25519 in WebCrypto is recent (Node 20, Chrome 137, Firefox 129, Safari 17).
 * Support is detected lazily by importing a known public key and cached; until
 * the probe has answered, `supports('EdDSA')` is optimistic. Call
 * {@link probeWebCryptoEd25519} first for a definite answer.
 */
import type { SignatureAlgorithm } from '../lib/algorithms.ts';
import { BackendError } from '../lib/errors.ts';
import type { PublicKey } from '../keys/public-key.ts';
import type { JwkKeyPair, PrivateJwk, SignatureBackend } from './backend.ts';

const RSA_PARAMS = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;
const ED25519_PARAMS = { name: 'Ed25519' } as const;

/** The Ed25519 base point's encoding: a valid public key for the support probe. */
const PROBE_KEY = Uint8Array.of(
  0x58, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
  0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
);

function subtle(): SubtleCrypto | undefined {
  const c = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto;
  return c?.subtle ?? undefined;
}

function requireSubtle(): SubtleCrypto {
  const s = subtle();
  if (!s) throw new BackendError('ERR_BACKEND_UNAVAILABLE', 'WebCrypto (globalThis.crypto.subtle) is not available here');
  return s;
}

function paramsFor(algorithm: SignatureAlgorithm): typeof RSA_PARAMS | typeof ED25519_PARAMS {
  if (algorithm === 'RS256') return RSA_PARAMS;
  if (algorithm === 'EdDSA') return ED25519_PARAMS;
  throw new BackendError('ERR_ALGORITHM_UNSUPPORTED', `webcrypto backend does not support ${String(algorithm)}`);
}

let ed25519Support: boolean | undefined;
let ed25519Probe: Promise<boolean> | undefined;

/**
 * Whether this host's WebCrypto verifies Ed25519. Probed once, then cached;
 * `supports('EdDSA')` reflects the answer from then on.
 */
export function probeWebCryptoEd25519(): Promise<boolean> {
  if (ed25519Support !== undefined) return Promise.resolve(ed25519Support);
  const s = subtle();
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
}

function isNotSupported(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'NotSupportedError' || (error instanceof TypeError && /algorithm|unrecognized|not supported/i.test(error.message));
}

const cryptoKeys = new WeakMap<PublicKey, Promise<CryptoKey>>();

function cryptoKeyFor(s: SubtleCrypto, key: PublicKey): Promise<CryptoKey> {
  let pending = cryptoKeys.get(key);
  if (!pending) {
    pending = s.importKey('jwk', { ...key.jwk } as JsonWebKey, paramsFor(key.algorithm), false, ['verify']);
    cryptoKeys.set(key, pending);
    pending.catch(() => cryptoKeys.delete(key));
  }
  return pending;
}

async function verify(algorithm: SignatureAlgorithm, key: PublicKey, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  const params = paramsFor(algorithm);
  const s = requireSubtle();
  if (algorithm === 'EdDSA' && ed25519Support === false) {
    throw new BackendError('ERR_ALGORITHM_UNSUPPORTED', 'this host\'s WebCrypto has no Ed25519');
  }
  if (key.algorithm !== algorithm) return false;
  // Copy before the first await: callers may reuse their buffers.
  const dataCopy = data.slice();
  const signatureCopy = signature.slice();
  let cryptoKey: CryptoKey;
  try {
    cryptoKey = await cryptoKeyFor(s, key);
  } catch (error) {
    if (algorithm === 'EdDSA' && isNotSupported(error) && !(await probeWebCryptoEd25519())) {
      throw new BackendError('ERR_ALGORITHM_UNSUPPORTED', 'this host\'s WebCrypto has no Ed25519', { cause: error });
    }
    return false;
  }
  try {
    return await s.verify(params, cryptoKey, signatureCopy, dataCopy);
  } catch {
    return false;
  }
}

/** Keeps the members the JWK RFCs define for the key type (drops `alg`, `ext`, `key_ops`). */
function plainJwk(jwk: JsonWebKey, members: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of members) {
    const v = (jwk as Record<string, unknown>)[m];
    if (typeof v === 'string') out[m] = v;
  }
  return out;
}

const RSA_PUBLIC = ['kty', 'n', 'e'] as const;
const RSA_PRIVATE = [...RSA_PUBLIC, 'd', 'p', 'q', 'dp', 'dq', 'qi'] as const;
const OKP_PUBLIC = ['kty', 'crv', 'x'] as const;
const OKP_PRIVATE = [...OKP_PUBLIC, 'd'] as const;

/**
 * WebCrypto backend (RS256 and Ed25519; async verify only; sign and keygen).
 *
 * @example
 * ```ts
 * if (webcryptoBackend.supports('RS256')) ok = await webcryptoBackend.verify('RS256', key, data, sig);
 * ```
 */
export const webcryptoBackend: SignatureBackend = {
  name: 'webcrypto',
  supports: (algorithm) => {
    if (!subtle()) return false;
    if (algorithm === 'RS256') return true;
    if (algorithm !== 'EdDSA') return false;
    if (ed25519Support === undefined) void probeWebCryptoEd25519();
    return ed25519Support !== false;
  },
  verify,
  sign: async (algorithm: SignatureAlgorithm, privateJwk: PrivateJwk, data: Uint8Array): Promise<Uint8Array> => {
    const params = paramsFor(algorithm);
    const s = requireSubtle();
    const dataCopy = data.slice();
    const key = await s.importKey('jwk', { ...privateJwk } as JsonWebKey, params, false, ['sign']);
    return new Uint8Array(await s.sign(params, key, dataCopy));
  },
  generateKeyPair: async (algorithm: SignatureAlgorithm, options?: { modulusLength?: number }): Promise<JwkKeyPair> => {
    const s = requireSubtle();
    const rsa = algorithm === 'RS256';
    const params = rsa
      ? { ...RSA_PARAMS, modulusLength: options?.modulusLength ?? 2048, publicExponent: Uint8Array.of(1, 0, 1) }
      : paramsFor(algorithm);
    const pair = (await s.generateKey(params, true, ['sign', 'verify'])) as CryptoKeyPair;
    const [privateJwk, publicJwk] = await Promise.all([s.exportKey('jwk', pair.privateKey), s.exportKey('jwk', pair.publicKey)]);
    return {
      privateJwk: plainJwk(privateJwk, rsa ? RSA_PRIVATE : OKP_PRIVATE),
      publicJwk: plainJwk(publicJwk, rsa ? RSA_PUBLIC : OKP_PUBLIC),
    };
  },
};
