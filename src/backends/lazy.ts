/**
 * A signature backend that loads on first use: the first call (`supports`,
 * `verify`…) loads the real backend through `load`, and every call delegates to
 * it. Node's `licensekit` uses it for the WebCrypto and pure-JavaScript backends
 * (src/lazy/), which only `backend: 'webcrypto' | 'purejs'` asks for, so
 * `import 'licensekit'` compiles neither. Which optional methods it has is fixed
 * when it is made (`has`), since callers test for them (`verifySync`).
 */
import type { SignatureBackend } from './backend.ts';

/** Which optional methods the loaded backend has. */
export interface LazyBackendShape {
  readonly verifySync?: boolean;
  readonly sign?: boolean;
  readonly generateKeyPair?: boolean;
  /** Whether the loaded backend is a frozen object (the stand-in then is too: it answers as the real one would). */
  readonly frozen?: boolean;
}

/** The backend `load()` returns, named `name`, with the optional methods `has` names. */
export function lazyBackend(name: string, has: LazyBackendShape, load: () => SignatureBackend): SignatureBackend {
  let backend: SignatureBackend | undefined;
  const get = (): SignatureBackend => (backend ??= load());
  const standIn: SignatureBackend = {
    name,
    supports: (algorithm) => get().supports(algorithm),
    verify: (algorithm, key, data, signature) => get().verify(algorithm, key, data, signature),
    ...(has.verifySync ? { verifySync: (algorithm, key, data, signature) => get().verifySync!(algorithm, key, data, signature) } : {}),
    ...(has.sign ? { sign: (algorithm, privateJwk, data) => get().sign!(algorithm, privateJwk, data) } : {}),
    ...(has.generateKeyPair ? { generateKeyPair: (algorithm, options) => get().generateKeyPair!(algorithm, options) } : {}),
  };
  return has.frozen ? Object.freeze(standIn) : standIn;
}
