/**
 * The node:crypto backend: the fast path on Node (OpenSSL), synchronous, and
 * able to sign and generate keys for the issuing side.
 */
import { constants, createPrivateKey, createPublicKey, generateKeyPairSync, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { PS256_SALT_LENGTH, type SignatureAlgorithm } from '../lib/algorithms.ts';
import { copyBytes } from '../lib/bytes.ts';
import { BackendError } from '../lib/errors.ts';
import { exportSpki } from '../keys/export.ts';
import { keyFitsAlgorithm, type PublicKey } from '../keys/public-key.ts';
import type { JwkKeyPair, PrivateJwk, SignatureBackend } from './backend.ts';

const keyObjects = new WeakMap<PublicKey, KeyObject>();

/** A copy of `fields` with no prototype: nothing can be inherited into it. */
function nullProto<T extends object>(fields: T): T {
  return Object.assign(Object.create(null) as T, fields);
}

function keyObjectFor(key: PublicKey): KeyObject {
  let handle = keyObjects.get(key);
  if (!handle) {
    // From DER, not JWK: node:crypto's JWK import reads members (`d`…) a polluted Object.prototype would
    // supply; the options object has no prototype for the same reason (`passphrase`, `encoding`…).
    handle = createPublicKey(nullProto({ key: Buffer.from(exportSpki(key)), format: 'der' as const, type: 'spki' as const }));
    keyObjects.set(key, handle);
  }
  return handle;
}

/** How node:crypto is asked for an algorithm: the digest, and for PS256 and PS256-MAX the PSS padding and salt length. */
export interface NodeScheme {
  readonly digest: string | null;
  /** PSS salt length in bytes (PS256), or `null` for the key type's default padding. */
  readonly pssSaltLength: number | null;
}

const RS256_SCHEME: NodeScheme = Object.freeze({ digest: 'sha256', pssSaltLength: null });
// The salt length is required exactly, never RSA_PSS_SALTLEN_AUTO: OpenSSL then refuses any other length.
const PS256_SCHEME: NodeScheme = Object.freeze({ digest: 'sha256', pssSaltLength: PS256_SALT_LENGTH });
const RS1_SCHEME: NodeScheme = Object.freeze({ digest: 'sha1', pssSaltLength: null });
/**
 * OpenSSL's `RSA_PSS_SALTLEN_MAX` (-3; node:crypto names only -1 and -2): the largest salt the key allows, required
 * exactly when verifying and used when signing. Not -2, which is `RSA_PSS_SALTLEN_MAX_SIGN` when signing but
 * `RSA_PSS_SALTLEN_AUTO` (any salt length) when verifying.
 */
const RSA_PSS_SALTLEN_MAX = -3;
const PS256_MAX_SCHEME: NodeScheme = Object.freeze({ digest: 'sha256', pssSaltLength: RSA_PSS_SALTLEN_MAX });
const EDDSA_SCHEME: NodeScheme = Object.freeze({ digest: null, pssSaltLength: null });

function schemeFor(algorithm: SignatureAlgorithm): NodeScheme {
  if (algorithm === 'RS256') return RS256_SCHEME;
  if (algorithm === 'PS256') return PS256_SCHEME;
  if (algorithm === 'EdDSA') return EDDSA_SCHEME;
  if (algorithm === 'RS1') return RS1_SCHEME;
  if (algorithm === 'PS256-MAX') return PS256_MAX_SCHEME;
  throw new BackendError('ERR_ALGORITHM_UNSUPPORTED', `node backend does not support ${String(algorithm)}`);
}

/**
 * The key argument of `crypto.sign`/`crypto.verify` for a scheme: the key
 * itself, or for PSS a prototype-free options object (an inherited `padding`
 * or `saltLength` can never apply).
 */
export function nodeKeyArgument(scheme: NodeScheme, key: KeyObject): KeyObject | { key: KeyObject; padding: number; saltLength: number } {
  if (scheme.pssSaltLength === null) return key;
  return nullProto({ key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.pssSaltLength });
}

function verifySync(algorithm: SignatureAlgorithm, key: PublicKey, data: Uint8Array, signature: Uint8Array): boolean {
  const scheme = schemeFor(algorithm);
  if (!keyFitsAlgorithm(key, algorithm)) return false;
  try {
    return cryptoVerify(scheme.digest, data, nodeKeyArgument(scheme, keyObjectFor(key)), signature);
  } catch {
    return false;
  }
}

let pool: typeof import('./node-parallel.ts') | undefined;
let poolLoading: Promise<typeof import('./node-parallel.ts')> | undefined;

/** The worker-thread pool, imported by the first batch (never by `import 'licensekit'`), then called synchronously. */
function withPool<T>(use: (p: typeof import('./node-parallel.ts')) => Promise<T>): Promise<T> {
  if (pool) return use(pool);
  poolLoading ??= import('./node-parallel.ts').then(
    (loaded) => (pool = loaded),
    (cause: unknown) => {
      poolLoading = undefined;
      throw new BackendError('ERR_BACKEND_UNAVAILABLE', 'node backend: the worker-thread pool could not be loaded', { cause });
    },
  );
  return poolLoading.then(use);
}

/**
 * Verification off the calling thread, for batches: a worker-thread pool (see
 * `node-parallel.ts`), with the calling thread helping. The inputs are copied
 * first (callers may reuse their buffers).
 */
function verifyParallel(algorithm: SignatureAlgorithm, key: PublicKey, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  try {
    const scheme = schemeFor(algorithm); // misuse rejects, as `verify` does
    if (!keyFitsAlgorithm(key, algorithm)) return Promise.resolve(false);
    // Copies from Buffer's pool (lib/bytes' copyBytes): a fresh Uint8Array of this size costs an allocation outside V8's heap.
    const dataCopy = copyBytes(data);
    const signatureCopy = copyBytes(signature);
    return withPool((p) => p.verifyInPool(scheme, key, dataCopy, signatureCopy, () => verifySync(algorithm, key, dataCopy, signatureCopy)));
  } catch (error) {
    return Promise.reject(error);
  }
}

/** node:crypto backend (RS256, PS256, Ed25519, RS1 and PS256-MAX; sync verify, parallel verify for batches; sign and keygen). */
export const nodeBackend: SignatureBackend = {
  name: 'node',
  supports: (algorithm) => algorithm === 'RS256' || algorithm === 'PS256' || algorithm === 'EdDSA' || algorithm === 'RS1' || algorithm === 'PS256-MAX',
  verify: async (algorithm, key, data, signature) => verifySync(algorithm, key, data, signature),
  verifySync,
  verifyParallel,
  sign: async (algorithm: SignatureAlgorithm, privateJwk: PrivateJwk, data: Uint8Array) => {
    const scheme = schemeFor(algorithm);
    const keyObject = createPrivateKey({ key: { ...privateJwk }, format: 'jwk' });
    return new Uint8Array(cryptoSign(scheme.digest, data, nodeKeyArgument(scheme, keyObject)));
  },
  generateKeyPair: async (algorithm: SignatureAlgorithm, options?: { modulusLength?: number }): Promise<JwkKeyPair> => {
    const pair =
      algorithm === 'RS256' || algorithm === 'PS256' || algorithm === 'RS1' || algorithm === 'PS256-MAX'
        ? generateKeyPairSync('rsa', { modulusLength: options?.modulusLength ?? 2048, publicExponent: 0x10001 })
        : generateKeyPairSync('ed25519');
    return {
      privateJwk: pair.privateKey.export({ format: 'jwk' }) as PrivateJwk,
      publicJwk: pair.publicKey.export({ format: 'jwk' }) as Record<string, string>,
    };
  },
};
