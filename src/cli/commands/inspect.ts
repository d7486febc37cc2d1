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
import { inspectLicense } from '../../index.node.ts';
import { isLicenseKitError } from '../../lib/errors.ts';

/** `--help` text of the inspect command. */
export const INSPECT_HELP = `licensekit inspect FILE [--json] [--license-key KEY [--fingerprint FP]]

Prints the decoded license WITHOUT verifying its signature or judging it, in every format
licensekit verify reads (native, Cryptolens, Keygen, NetLicensing).

  --json               one JSON object: {"file", "verified": false, "format", "form", "algorithm",
                       "signatureBytes", "signedBytes", "envelope", "metadata", "license"}; strings
                       exactly as in the file
  --license-key KEY    decrypt a Keygen aes-256-gcm file to show its claims (without it the
                       envelope is shown and "license" is null)
  --fingerprint FP     with --license-key: the fingerprint a Keygen machine file is encrypted under

An activation request or a deactivation receipt shows its claims (license key, product, device
key id, nonce, time, machine code, fingerprint prefix); a customer bundle shows its header only
(vendor key id, sealed time, KDF parameters, cipher): it is never decrypted. None is verified.

The table shows control characters and bidirectional overrides in values as
escapes (\\x1b, \\n, \\u202e). Values nested deeper than ${MAX_JSON_DEPTH} levels are
replaced by a "[nested deeper than ${MAX_JSON_DEPTH} levels: not shown]" marker.

Exit status: 0 decoded, 2 unreadable input or bad usage, 141 standard output closed early.`;

/** Runs `licensekit inspect`. */
export async function inspectCommand(args: string[], io: CliIo): Promise<number> {
  const flags = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, 'license-key': { type: 'string', value: 'KEY' }, fingerprint: { type: 'string', value: 'FP' } } as const;
  const { values, positionals } = parseCommandArgs(args, flags, { command: 'inspect', positionals: true });
  if (values.help) {
    io.stdout(INSPECT_HELP);
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw new CliExit(EXIT.USAGE, `inspect needs exactly one FILE, got ${positionals.length} (see licensekit inspect --help)`);
  const file = positionals[0]!;
  // An activation request, a deactivation receipt or a customer bundle (unverified; a bundle never decrypted): inspect-exchange.ts.
  const exchange = await (await import('./inspect-exchange.ts')).inspectExchange(file, values.json === true, io);
  if (exchange !== null) return exchange;
  let inspection;
  try {
    inspection = inspectLicense(await readLimited(file), { licenseKey: values['license-key'], fingerprint: values.fingerprint });
  } catch (error) {
    if (isLicenseKitError(error)) throw new CliExit(EXIT.USAGE, `${file}: [${error.code}] ${error.message}`);
    throw error;
  }
  if (values.json) {
    io.stdout(JSON.stringify({ file, ...inspection, envelope: boundedJson(inspection.envelope), metadata: boundedJson(inspection.metadata), license: inspection.license && licenseToJson(inspection.license) }));
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
  if (l === null) {
    // An encrypted Keygen file without --license-key: its envelope only.
    io.stdout(renderTable(['field', 'value'], Object.entries(env).map(([k, v]) => [cellText(k), cellText(v)])));
    io.stdout('encrypted: give --license-key (and --fingerprint for a machine file) to show its claims');
    return EXIT.OK;
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
