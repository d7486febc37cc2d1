/**
 * `licensekit deactivate LICENSE_KEY --key KEYFILE [--state DIR] --out RECEIPT`:
 * removes a license from this machine's state and writes a deactivation
 * receipt signed by the device key; the vendor frees the seat with
 * `licensekit ledger release RECEIPT --ledger DIR`.
 */
import { writeFile } from 'node:fs/promises';
import { CliExit, EXIT, type CliIo } from '../io.ts';
import { dateFlag, parseCommandArgs } from '../args.ts';
import { STATE_FLAGS, openStateFlags, usageOnOptionError } from '../state-flags.ts';

/** `--help` text of the deactivate command. */
export const DEACTIVATE_HELP = `licensekit deactivate LICENSE_KEY --key KEYFILE [--state DIR] --out RECEIPT

Removes a license from this machine's state and writes a deactivation receipt
(-----BEGIN LICENSEKIT DEACTIVATION RECEIPT-----) signed by the state's device key. Carry it to
the vendor, who frees the seat with licensekit ledger release RECEIPT --ledger DIR; a receipt
frees a seat once. The license is removed before the receipt is written: keep the file.

  --key KEYFILE             vendor public key (names the state and is part of its MAC)
  --state DIR               the state folder (default: the OS's per-user data folder)
  --program NAME            the program the state belongs to (default "licensekit")
  --out RECEIPT             where to write the receipt (required; never standard output only)
  --now ISO-8601            the receipt's time instead of the clock
  --json                    print { licenseKey, receiptId, deviceKeyId, file }

Exit status: 0 removed and written; 2 bad usage, a license the state does not hold
(ERR_ACTIVATION_NOT_HELD), unreadable or tampered state; 3 key problem.`;

/** Runs `licensekit deactivate`. */
export async function deactivateCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { ...STATE_FLAGS, out: { type: 'string', value: 'RECEIPT' }, now: { type: 'string', value: 'ISO-8601' } }, { command: 'deactivate', positionals: true });
  if (values.help) {
    io.stdout(DEACTIVATE_HELP);
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw new CliExit(EXIT.USAGE, `deactivate needs exactly one LICENSE_KEY, got ${positionals.length} (see licensekit deactivate --help)`);
  if (!values.out) throw new CliExit(EXIT.USAGE, 'deactivate needs --out RECEIPT (the file to carry to the vendor)');
  const now = dateFlag('now', values.now) ?? new Date();
  const { state } = await openStateFlags(values, 'deactivate');
  const receipt = await usageOnOptionError(() => state.deactivate(positionals[0]!, { now }));
  // Written exclusively: an earlier receipt at that path is never overwritten (it may be the only one for a seat).
  try {
    await writeFile(values.out, receipt.text, { flag: 'wx' });
  } catch (error) {
    io.stdout(receipt.text.trimEnd());
    throw new CliExit(EXIT.USAGE, `cannot write ${values.out} (${(error as Error).message}); the license is already removed: the receipt was printed on standard output instead, save it`);
  }
  if (values.json) io.stdout(JSON.stringify({ licenseKey: receipt.licenseKey, receiptId: receipt.nonce, deviceKeyId: receipt.deviceKeyId, file: values.out }));
  else io.stdout(`deactivated ${receipt.licenseKey}; wrote ${values.out} (receipt ${receipt.nonce}): the vendor frees the seat with licensekit ledger release`);
  return EXIT.OK;
}
