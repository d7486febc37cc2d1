/**
 * The node:crypto backend: the fast path on Node (OpenSSL), synchronous, and
 * able to sign and generate keys for the issuing side.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import type { SignatureAlgorithm } from '../lib/algorithms.ts';
import { BackendError } from '../lib/errors.ts';
import { exportSpki } from '../keys/export.ts';
import type { PublicKey } from '../keys/public-key.ts';
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

function digestFor(algorithm: SignatureAlgorithm): string | null {
  if (algorithm === 'RS256') return 'sha256';
  if (algorithm === 'EdDSA') return null;
  throw new BackendError('ERR_ALGORITHM_UNSUPPORTED', `node backend does not support ${String(algorithm)}`);
}

function verifySync(algorithm: SignatureAlgorithm, key: PublicKey, data: Uint8Array, signature: Uint8Array): boolean {
  const digest = digestFor(algorithm);
  if (key.algorithm !== algorithm) return false;
  try {
    return cryptoVerify(digest, data, keyObjectFor(key), signature);
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
    const digest = digestFor(algorithm); // misuse rejects, as `verify` does
    if (key.algorithm !== algorithm) return Promise.resolve(false);
    const dataCopy = data.slice();
    const signatureCopy = signature.slice();
    return withPool((p) => p.verifyInPool(digest, key, dataCopy, signatureCopy, () => verifySync(algorithm, key, dataCopy, signatureCopy)));
  } catch (error) {
    return Promise.reject(error);
  }
}

/** node:crypto backend (RS256 and Ed25519; sync verify, parallel verify for batches; sign and keygen). */
export const nodeBackend: SignatureBackend = {
  name: 'node',
  supports: (algorithm) => algorithm === 'RS256' || algorithm === 'EdDSA',
  verify: async (algorithm, key, data, signature) => verifySync(algorithm, key, data, signature),
  verifySync,
  verifyParallel,
  sign: async (algorithm: SignatureAlgorithm, privateJwk: PrivateJwk, data: Uint8Array) => {
    const digest = digestFor(algorithm);
    const keyObject = createPrivateKey({ key: { ...privateJwk }, format: 'jwk' });
    return new Uint8Array(cryptoSign(digest, data, keyObject));
  },
  generateKeyPair: async (algorithm: SignatureAlgorithm, options?: { modulusLength?: number }): Promise<JwkKeyPair> => {
    const pair =
      algorithm === 'RS256'
        ? generateKeyPairSync('rsa', { modulusLength: options?.modulusLength ?? 2048, publicExponent: 0x10001 })
        : generateKeyPairSync('ed25519');
    return {
      privateJwk: pair.privateKey.export({ format: 'jwk' }) as PrivateJwk,
      publicJwk: pair.publicKey.export({ format: 'jwk' }) as Record<string, string>,
    };
  },
};
