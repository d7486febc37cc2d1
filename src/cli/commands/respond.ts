/**
 * `licensekit respond REQUEST --private-key K --ledger DIR [--days N] [--out FILE]`:
 * the vendor's answer to an activation request (see src/activation/respond.ts).
 */
import { writeFile } from 'node:fs/promises';
import { CliExit, EXIT, type CliIo } from '../io.ts';
import { dateFlag, integerFlag, parseCommandArgs } from '../args.ts';
import { readLimited } from '../files.ts';
import { readPrivateJwkFlag } from '../key-files.ts';
import { MAX_EXCHANGE_BYTES } from '../../activation/armor.ts';
import { isLicenseKitError } from '../../lib/errors.ts';

/** `--help` text of the respond command. */
export const RESPOND_HELP = `licensekit respond REQUEST --private-key FILE --ledger DIR [--days N] [--out FILE]

Answers an activation request (vendor side). Verifies the request's device signature over the
bytes received, looks its license up in the ledger (an unknown or revoked license is refused),
and enforces the machine limit: a machine that already holds a seat (the same device key, or a
recorded fingerprint that matches tolerantly, as after a disk swap) keeps it; a new machine takes
a free seat or is refused with a message naming the limit and the machines holding it. A seat
kept through its fingerprint under a new device key (the state folder re-created, the OS
reinstalled) moves to the new key: only the new state's receipt frees it from then on. Records
the activation and writes a native license bound to the machine (its code and fingerprint) and
its device key, carrying the request's nonce: only the state that made the request can activate
it, once (licensekit activate RESPONSE).

  --private-key FILE        private.jwk.json from licensekit keygen (required)
  --ledger DIR              the vendor ledger (required, and it must exist: a missing one is
                            ERR_LEDGER_NOT_FOUND, never created; see licensekit ledger)
  --days N                  the license expires N days from now (default: perpetual)
  --out FILE                write the license there instead of standard output
  --now ISO-8601            signing time instead of the clock
  --json                    print { licenseKey, activationId, kept, deviceKeyId, expires, license,
                            movedFrom } (movedFrom: the device key id the seat moved from, or null)

Exit status: 0 answered; 2 bad usage, unreadable or invalid request (ERR_ACTIVATION_REQUEST_INVALID),
unknown or revoked license, machine limit reached (ERR_ACTIVATION_*), ledger problem; 3 key problem.`;

/** Runs `licensekit respond`. */
export async function respondCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    'private-key': { type: 'string', value: 'FILE' },
    ledger: { type: 'string', value: 'DIR' },
    days: { type: 'string', value: 'N' },
    out: { type: 'string', value: 'FILE' },
    now: { type: 'string', value: 'ISO-8601' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  }, { command: 'respond', positionals: true });
  if (values.help) {
    io.stdout(RESPOND_HELP);
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw new CliExit(EXIT.USAGE, `respond needs exactly one REQUEST file, got ${positionals.length} (see licensekit respond --help)`);
  if (!values['private-key']) throw new CliExit(EXIT.USAGE, 'respond needs --private-key FILE (private.jwk.json from licensekit keygen)');
  if (!values.ledger) throw new CliExit(EXIT.USAGE, 'respond needs --ledger DIR (the vendor ledger)');
  const days = integerFlag('days', values.days, 1);
  const now = dateFlag('now', values.now) ?? new Date();
  const request = await readLimited(positionals[0]!, MAX_EXCHANGE_BYTES);
  const privateJwk = await readPrivateJwkFlag('private-key', values['private-key']);
  const { openLedger } = await import('../../ledger/index.node.ts');
  // Never created here: a mistyped --ledger must not answer from a new, empty ledger.
  const ledger = await openLedger(values.ledger, { create: false });
  const { respondToActivationRequest } = await import('../../activation/index.node.ts');
  let answer;
  try {
    answer = await respondToActivationRequest(request, { privateJwk, ledger, now, ...(days === undefined ? {} : { days }) });
  } catch (error) {
    if (isLicenseKitError(error) && error.code === 'ERR_OPTION_INVALID') throw new CliExit(EXIT.USAGE, error.message);
    if (isLicenseKitError(error) && (error.code.startsWith('ERR_KEY') || error.code === 'ERR_BACKEND_UNAVAILABLE')) throw new CliExit(EXIT.KEY, `--private-key: signing failed: ${error.message}`);
    throw error;
  }
  const { request: req, activation, kept, movedFrom } = answer;
  if (values.out !== undefined) await writeFile(values.out, answer.text);
  if (values.json) {
    io.stdout(JSON.stringify({ licenseKey: req.licenseKey, activationId: activation.id, kept, deviceKeyId: req.deviceKeyId, expires: answer.expires?.toISOString() ?? null, license: answer.text, movedFrom: movedFrom?.deviceKeyId ?? null }));
  } else {
    if (values.out === undefined) io.stdout(answer.text.trimEnd());
    const how = movedFrom !== null ? `moved the seat this machine held under device ${movedFrom.deviceKeyId} (its fingerprint matches) to its new device key` : kept ? 'kept the seat this machine already held' : 'took a new seat';
    io.stderr(`${how} of ${req.licenseKey} for device ${req.deviceKeyId}${answer.expires === null ? '' : `, expires ${answer.expires.toISOString()}`}${values.out === undefined ? '' : `; wrote ${values.out}`}`);
  }
  return EXIT.OK;
}
