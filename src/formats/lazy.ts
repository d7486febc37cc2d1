/**
 * A format adapter whose reader loads on first use: `detect` answers at once
 * (a few hundred bytes kept at hand), and the first call that needs the reader
 * (`parse`, `read`, `view`…) loads it through `load` and delegates from then on.
 * Node's `licensekit` uses it for Keygen's and NetLicensing's files (src/lazy/),
 * so `import 'licensekit'` compiles neither reader; its answers are the
 * reader's own, call for call.
 */
import type { SignedEnvelope } from '../core/envelope.ts';
import type { WarningCode } from '../rules/reasons.ts';
import type { FormatAdapter } from './adapter.ts';

const NONE: readonly WarningCode[] = Object.freeze([]);

/** The adapter `load()` returns, named `name` and detecting with `detect` (which must be the reader's own) until then. */
export function lazyAdapter<E extends SignedEnvelope>(name: string, detect: (input: string | Uint8Array) => boolean, load: () => FormatAdapter<E>): FormatAdapter<E> {
  let reader: FormatAdapter<E> | undefined;
  const get = (): FormatAdapter<E> => (reader ??= load());
  return Object.freeze({
    name,
    detect,
    parse: (input, hints) => get().parse(input, hints),
    read: (envelope, options) => get().read(envelope, options),
    warnings: (envelope) => get().warnings?.(envelope) ?? NONE,
    status: (license, options) => get().status?.(license, options),
    view: (envelope) => get().view(envelope),
  } satisfies FormatAdapter<E>);
}
