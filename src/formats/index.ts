/**
 * The adapter list: each license is read by the first adapter whose `detect`
 * claims it. Adding a format is a folder of its own and one entry here.
 */
import { LicenseInputError } from '../lib/errors.ts';
import type { FormatAdapter, ParseHints, Parsed } from './adapter.ts';
import { cryptolensAdapter } from './cryptolens/index.ts';
import { nativeAdapter } from './native/index.ts';
import { elsewhereAdapter } from './elsewhere.ts';

export type { EnvelopeView, FormatAdapter, ParseHints, Parsed } from './adapter.ts';

/**
 * The adapters, in the order they are asked. The last one claims anything. `elsewhereAdapter` only detects the
 * formats of other entries (Keygen's, NetLicensing's) and refuses them with ERR_FORMAT_UNSUPPORTED naming the entry.
 */
export const FORMAT_ADAPTERS: readonly FormatAdapter<any>[] = Object.freeze([nativeAdapter, elsewhereAdapter, cryptolensAdapter]);

/** Parses a license with the first adapter of `adapters` that detects it; typed errors for unreadable input. */
export function parseLicense(input: string | Uint8Array, adapters: readonly FormatAdapter<any>[] = FORMAT_ADAPTERS, hints?: ParseHints): Parsed {
  for (let i = 0; i < adapters.length; i++) {
    const adapter = adapters[i]!;
    if (adapter.detect(input)) return { adapter, envelope: adapter.parse(input, hints) };
  }
  throw new LicenseInputError('ERR_INPUT_NOT_JSON', 'no license format recognises this input');
}
