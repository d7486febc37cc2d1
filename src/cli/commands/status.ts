/**
 * `licensekit status --key KEYFILE [--state DIR] [--json]`: what the state
 * holds (licenses, bindings as salted hashes, the trusted-time mark, the
 * revocation list's sequence) and whether its MAC verified.
 */
import { EXIT, type CliIo } from '../io.ts';
import { parseCommandArgs } from '../args.ts';
import { renderTable } from '../table.ts';
import { terminalSafe } from '../terminal-text.ts';
import { STATE_FLAGS, STATE_FLAGS_HELP, openStateFlags } from '../state-flags.ts';

/** `--help` text of the status command. */
export const STATUS_HELP = `licensekit status --key KEYFILE [--state DIR] [--json]

Prints what the state holds: the licenses (key, activation time, reset counter, bindings as
salted hashes: never a secret or HWID in clear), the trusted-time mark, the latest vendor-signed
time, the revocation list's sequence, this state's device key id (once an activation request made
one), how many activation requests await their response, and whether the state verified. --key is required: the
state's MAC is keyed by the vendor key's id, the program name and this machine's code, so it
cannot be checked (nor the default folder found) without it. Nothing is written.

${STATE_FLAGS_HELP}
  --json                    the status as one JSON object: { program, vendorKeyId, trustedTime,
                            vendorSignedTime, licenses, revocations, verified, warnings,
                            deviceKeyId, pendingRequests }

Exit status: 0 the state verified (or there is none yet), 2 bad usage or a state that did not
verify (STATE_TAMPERED: edited, or copied from another machine, program or key), 3 key problem.`;

/** Runs `licensekit status`. */
export async function statusCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, STATE_FLAGS, { command: 'status' });
  if (values.help) {
    io.stdout(STATUS_HELP);
    return EXIT.OK;
  }
  const { state } = await openStateFlags(values, 'status');
  const status = await state.status();
  if (values.json) io.stdout(JSON.stringify(status));
  else {
    const lines = [
      `state of ${terminalSafe(JSON.stringify(status.program))} under key ${status.vendorKeyId}: ${status.verified ? 'verified' : 'NOT VERIFIED'}${status.warnings.length > 0 ? ` (${terminalSafe(status.warnings.join(', '))})` : ''}`,
      `  trusted time        ${status.trustedTime ?? 'none yet'}`,
      `  vendor-signed time  ${status.vendorSignedTime ?? 'none yet'}`,
      `  revocation list     ${status.revocations === null ? 'none' : `sequence ${status.revocations.sequence}, issued ${status.revocations.issuedAt}, ${status.revocations.revoked} revoked`}`,
      `  device key          ${status.deviceKeyId ?? 'none yet (licensekit request makes it)'}`,
      `  pending requests    ${status.pendingRequests}`,
      `  licenses            ${status.licenses.length}`,
    ];
    if (status.licenses.length > 0) {
      const rows = status.licenses.map((l) => [terminalSafe(l.licenseKey), l.activatedAt, String(l.resetCounter), l.hwidHash ?? '-', l.secretHash ?? '-']);
      lines.push(renderTable(['license key', 'activated', 'resets', 'HWID (salted hash)', 'secret (salted hash)'], rows));
    }
    io.stdout(lines.join('\n'));
  }
  return status.verified ? EXIT.OK : EXIT.USAGE;
}
