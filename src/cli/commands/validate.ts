/**
 * `licensekit validate LICENSE_KEY --key KEYFILE [--state DIR] [options]`:
 * checks a license stored in the state with every rule, the state's included,
 * and answers as Whop's license keys do: valid (201; the first use binds),
 * mismatch (400: bound to another HWID, needs a reset), not-found (404), or
 * invalid (403: another rule failed).
 */
import { CliExit, EXIT, type CliIo } from '../io.ts';
import { parseCommandArgs } from '../args.ts';
import { CHECK_FLAGS, CHECK_FLAGS_HELP, STATE_FLAGS, STATE_FLAGS_HELP, checkOptionsOf, openStateFlags, renderValidation, usageOnOptionError, validationToJson } from '../state-flags.ts';

/** `--help` text of the validate command. */
export const VALIDATE_HELP = `licensekit validate LICENSE_KEY --key KEYFILE [--state DIR] [options]

Checks a license stored in the state (see licensekit activate) with every rule, the state's
included, and answers as Whop's license keys do:
  valid      201  every rule passed (the first use binds the HWID / client-mode secret)
  mismatch   400  bound to another HWID: the vendor must sign a reset (licensekit issue-reset),
                  imported with licensekit import
  not-found  404  the state holds no license with this key
  invalid    403  another rule failed (expired, revoked, clock rolled back, secret mismatch...)

${STATE_FLAGS_HELP}
${CHECK_FLAGS_HELP}
  --json                    one JSON object: { licenseKey, outcome, status, valid, reasons, checks,
                            warnings, bound }

Exit status: 0 valid, 1 not valid (mismatch, invalid, and not-found: a key the state does not hold
is an answer, not an error), 2 bad usage or an unreadable or refused state (ERR_STATE_*),
3 key problem.`;

/** Runs `licensekit validate`. */
export async function validateCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { ...STATE_FLAGS, ...CHECK_FLAGS }, { command: 'validate', positionals: true });
  if (values.help) {
    io.stdout(VALIDATE_HELP);
    return EXIT.OK;
  }
  if (positionals.length !== 1 || positionals[0] === '') throw new CliExit(EXIT.USAGE, `validate needs exactly one LICENSE_KEY, got ${positionals.length} (see licensekit validate --help)`);
  const { state, machineCode } = await openStateFlags(values, 'validate');
  const options = checkOptionsOf(values, machineCode);
  const result = await usageOnOptionError(() => state.validate(positionals[0]!, options));
  if (values.json) io.stdout(JSON.stringify(validationToJson(result)));
  else renderValidation(result, io);
  return result.valid ? EXIT.OK : EXIT.INVALID;
}
