/**
 * `licensekit import FILE --key KEYFILE [--state DIR]`: imports a vendor-signed
 * message into the state: an HWID reset (clears that license's binding), a
 * revocation list, or a refreshed license (activated, keeping its bindings).
 */
import { readLimited } from '../files.ts';
import { CliExit, EXIT, type CliIo } from '../io.ts';
import { parseCommandArgs } from '../args.ts';
import { StateError } from '../../lib/errors.ts';
import { CHECK_FLAGS, CHECK_FLAGS_HELP, STATE_FLAGS, STATE_FLAGS_HELP, checkOptionsOf, openStateFlags, renderChecks, usageOnOptionError } from '../state-flags.ts';

/** `--help` text of the import command. */
export const IMPORT_HELP = `licensekit import FILE --key KEYFILE [--state DIR] [options]

Imports a vendor-signed file into the state:
  a reset        (licensekit issue-reset) clears that license's HWID binding: the next check binds
                 again. A reset whose counter is not above the last one imported is refused
  a revocation   (licensekit issue-revocations) replaces the stored list; licenses on it fail with
  list           REVOKED. A list whose sequence is not above the stored one is refused
  a license      a refreshed license: activated as licensekit activate does, keeping its bindings
A newer vendor-signed file resets the state's trusted-time mark to its signing time.

${STATE_FLAGS_HELP}
${CHECK_FLAGS_HELP}
                            (--hwid, --licensee-secret and --now apply to a refreshed license)
  --json                    one JSON object: { file, kind: "reset" | "revocations" | "license", ... }

Exit status: 0 imported, 1 a license that is not valid (nothing stored), 2 bad usage, unreadable
input, a message refused (ERR_MESSAGE_INVALID: not signed by --key, replayed or older) or a
refused state (ERR_STATE_*), 3 key problem.`;

/** Runs `licensekit import`. */
export async function importCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { ...STATE_FLAGS, ...CHECK_FLAGS }, { command: 'import', positionals: true });
  if (values.help) {
    io.stdout(IMPORT_HELP);
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw new CliExit(EXIT.USAGE, `import needs exactly one FILE, got ${positionals.length} (see licensekit import --help)`);
  const file = positionals[0]!;
  const bytes = await readLimited(file);
  const { state, machineCode, key } = await openStateFlags(values, 'import');
  const options = checkOptionsOf(values, machineCode);
  try {
    const imported = await state.importMessage(bytes, { now: options.now });
    if (values.json) io.stdout(JSON.stringify({ file, ...imported }));
    else if (imported.kind === 'reset') io.stdout(`${file}: imported reset ${imported.counter} of ${imported.licenseKey}: its HWID binding is cleared (the next check binds again)`);
    else io.stdout(`${file}: imported revocation list ${imported.sequence} (${imported.revoked} revoked)`);
    return EXIT.OK;
  } catch (error) {
    if (!(error instanceof StateError) || error.code !== 'ERR_MESSAGE_INVALID') throw error;
    // Not a vendor message: a refreshed license is activated; anything else is the message error.
    const { verifyLicense } = await import('../../index.node.ts');
    const peek = await verifyLicense(bytes, { key, now: options.now }).catch(() => null);
    if (peek === null || peek.license === null) throw error;
  }
  const result = await usageOnOptionError(() => state.activate(bytes, options));
  const stored = result.verdict.valid && result.licenseKey !== null;
  const warnings = [...result.verdict.warnings, ...result.stateWarnings];
  if (values.json) {
    io.stdout(JSON.stringify({ file, kind: 'license', licenseKey: result.licenseKey, stored, valid: result.verdict.valid, reasons: result.verdict.reasons, checks: result.verdict.checks, warnings, bound: result.bound }));
  } else {
    const head = `${file}: ${stored ? `imported license ${result.licenseKey} (activated)` : `NOT VALID (${result.verdict.reasons.join(', ')}), nothing stored`}`;
    io.stdout(renderChecks(head, result.verdict, warnings.length > 0 ? [`warnings: ${warnings.join(', ')}`] : []));
  }
  return stored ? EXIT.OK : EXIT.INVALID;
}
