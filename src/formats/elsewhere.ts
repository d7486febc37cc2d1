/**
 * Formats the core bundles leave to entries of their own, recognised by their
 * first characters only: a Keygen license file, machine file or signed key
 * (`licensekit/keygen`) and a NetLicensing XML file (`licensekit/netlicensing`).
 * Detect-only: no parser, a few hundred bytes, so the `licensekit` browser and
 * IIFE bundles answer such a file with `ERR_FORMAT_UNSUPPORTED` naming the entry
 * to import instead of `ERR_INPUT_NOT_JSON`. Entries that read these formats
 * list their adapters first, so this one never sees their files.
 */
import { UnsupportedFormatError } from '../lib/errors.ts';
import type { FormatAdapter } from './adapter.ts';

/** The entry that reads `input` (`keygen`, `netlicensing`), or `null`: only the start of the text counts (white space and a BOM skipped). */
function entryFor(input: string | Uint8Array): string | null {
  const m = /^[\s\xEF\xBB\xBF]*(?:(<)|-----BEGIN (?:LICENSE|MACHINE) FILE|key\/)/.exec(typeof input === 'string' ? input.slice(0, 256) : String.fromCharCode(...input.subarray(0, 256)));
  return m && (m[1] ? 'netlicensing' : 'keygen');
}

function refuse(input: string | Uint8Array): never {
  const entry = entryFor(input);
  throw new UnsupportedFormatError(`a ${entry} file: import licensekit/${entry}, which reads it`);
}

/** The detect-only adapter for formats read by other entries (its `parse` always throws the typed error). */
export const elsewhereAdapter = { name: 'elsewhere', detect: (input: string | Uint8Array) => entryFor(input) !== null, parse: refuse, read: refuse, view: refuse } as unknown as FormatAdapter;
