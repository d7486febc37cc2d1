/**
 * `licensekit activate FILE --key KEYFILE [--state DIR] [options]`: verifies a
 * license with every rule (the state's included), stores it in the state and
 * binds what its policy asks to bind (a client-mode licensee secret, the HWID).
 * Nothing is stored when the license is not valid.
 */
import { readLimited } from '../files.ts';
import { CliExit, EXIT, type CliIo } from '../io.ts';
import { parseCommandArgs } from '../args.ts';
import { CHECK_FLAGS, CHECK_FLAGS_HELP, STATE_FLAGS, STATE_FLAGS_HELP, checkOptionsOf, openStateFlags, renderChecks, usageOnOptionError } from '../state-flags.ts';

/** `--help` text of the activate command. */
export const ACTIVATE_HELP = `licensekit activate FILE --key KEYFILE [--state DIR] [options]

Verifies a license with every rule, the state's included (clock rollback, licensee secret, HWID,
revocation, grace), stores it in the state and binds what its policy asks to bind: a client-mode
licensee secret, the HWID (as salted hashes). Nothing is stored when it is not valid. Activating a
newer copy of a stored license (a refresh) keeps its bindings and resets the trusted-time mark to
its signing time when it was signed later than anything seen from the vendor.

An activation response (licensekit respond's answer to a licensekit request) is activated the same
way, and is accepted only if its nonce belongs to a request this state made and has not been used
(else ACTIVATION_NONCE_UNKNOWN or ACTIVATION_NONCE_USED), it is bound to this state's device key
(else DEVICE_MISMATCH) and to this machine's code (else MACHINE_MISMATCH); an edited one is
SIGNATURE_INVALID.

${STATE_FLAGS_HELP}
${CHECK_FLAGS_HELP}
  --json                    one JSON object: { file, licenseKey, stored, valid, reasons, checks,
                            warnings, bound }

Exit status: 0 valid and stored, 1 not valid (nothing stored), 2 bad usage, unreadable input or
state (ERR_STATE_*), 3 key problem.`;

/** Runs `licensekit activate`. */
export async function activateCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { ...STATE_FLAGS, ...CHECK_FLAGS }, { command: 'activate', positionals: true });
  if (values.help) {
    io.stdout(ACTIVATE_HELP);
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw new CliExit(EXIT.USAGE, `activate needs exactly one FILE, got ${positionals.length} (see licensekit activate --help)`);
  const file = positionals[0]!;
  const bytes = await readLimited(file);
  const { state, machineCode } = await openStateFlags(values, 'activate');
  const options = checkOptionsOf(values, machineCode);
  const result = await usageOnOptionError(() => state.activate(bytes, options));
  const { verdict } = result;
  const stored = verdict.valid && result.licenseKey !== null;
  const warnings = [...verdict.warnings, ...result.stateWarnings];
  if (values.json) {
    io.stdout(JSON.stringify({ file, licenseKey: result.licenseKey, stored, valid: verdict.valid, reasons: verdict.reasons, checks: verdict.checks, warnings, bound: result.bound }));
  } else {
    const head = `${file}: ${stored ? `ACTIVATED ${result.licenseKey}` : `NOT VALID (${verdict.reasons.join(', ') || 'no license key'}), nothing stored`}`;
    const extra = [...(result.bound.length > 0 ? [`bound: ${result.bound.join(', ')}`] : []), ...(warnings.length > 0 ? [`warnings: ${warnings.join(', ')}`] : [])];
    io.stdout(renderChecks(head, verdict, extra));
  }
  return stored ? EXIT.OK : EXIT.INVALID;
}
