/**
 * `licensekit inspect FILE [--json]`: prints what a license file claims,
 * decoded but NOT verified and not judged. Every value is untrusted: the
 * table shows control characters as escapes, and nesting of any depth prints
 * (cut with a marker past {@link MAX_JSON_DEPTH} levels) in both forms.
 */
import { readLimited } from '../files.ts';
import { CliExit, EXIT, type CliIo } from '../io.ts';
import { parseCommandArgs } from '../args.ts';
import { boundedJson, cellText, licenseToJson, MAX_JSON_DEPTH } from '../render.ts';
import { renderTable } from '../table.ts';
import { terminalSafe } from '../terminal-text.ts';
import { inspectLicense } from '../../inspect.ts';
import { isLicenseKitError } from '../../lib/errors.ts';

/** `--help` text of the inspect command. */
export const INSPECT_HELP = `licensekit inspect FILE [--json]

Prints the decoded license WITHOUT verifying its signature or judging it.

  --json   one JSON object: {"file", "verified": false, "format", "form", "algorithm",
           "signatureBytes", "signedBytes", "metadata", "license"}; strings exactly as
           in the file

The table shows control characters and bidirectional overrides in values as
escapes (\\x1b, \\n, \\u202e). Values nested deeper than ${MAX_JSON_DEPTH} levels are
replaced by a "[nested deeper than ${MAX_JSON_DEPTH} levels: not shown]" marker.

Exit status: 0 decoded, 2 unreadable input or bad usage, 141 standard output closed early.`;

/** Runs `licensekit inspect`. */
export async function inspectCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, { command: 'inspect', positionals: true });
  if (values.help) {
    io.stdout(INSPECT_HELP);
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw new CliExit(EXIT.USAGE, `inspect needs exactly one FILE, got ${positionals.length} (see licensekit inspect --help)`);
  const file = positionals[0]!;
  let inspection;
  try {
    inspection = inspectLicense(await readLimited(file));
  } catch (error) {
    if (isLicenseKitError(error)) throw new CliExit(EXIT.USAGE, `${file}: [${error.code}] ${error.message}`);
    throw error;
  }
  if (values.json) {
    io.stdout(JSON.stringify({ file, ...inspection, envelope: boundedJson(inspection.envelope), metadata: boundedJson(inspection.metadata), license: licenseToJson(inspection.license) }));
    return EXIT.OK;
  }
  const l = inspection.license;
  io.stdout(`${terminalSafe(file)}: ${cellText(inspection.format)} (${cellText(inspection.form)}), ${cellText(inspection.algorithm)}, signature ${inspection.signatureBytes} bytes — NOT VERIFIED`);
  if (inspection.keyId !== null) io.stdout(`key id ${cellText(inspection.keyId)}`);
  // The format's headers (a native license's COSE protected and unprotected headers) and, by name, its claims as signed.
  const env = inspection.envelope;
  for (const [name, label] of [['protectedHeader', 'COSE protected header'], ['unprotectedHeader', 'COSE unprotected header (not signed, never trusted)'], ['claims', 'claims']] as const) {
    if (Object.hasOwn(env, name)) io.stdout(`${label}: ${cellText(env[name])}`);
  }
  const rows = Object.entries(l)
    .filter(([k]) => k !== 'claims' && k !== 'format')
    .map(([k, v]) => [cellText(k), cellText(v)]);
  // The format's own claims; a Cryptolens file's unknown payload fields are under "extra".
  for (const [k, v] of Object.entries(l.claims)) {
    if (k === 'extra' && typeof v === 'object' && v !== null) for (const [x, w] of Object.entries(v)) rows.push([`(extra) ${cellText(x)}`, cellText(w)]);
    else rows.push([cellText(k), cellText(v)]);
  }
  io.stdout(renderTable(['field', 'value'], rows));
  return EXIT.OK;
}
