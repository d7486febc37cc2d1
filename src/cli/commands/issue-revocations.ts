/**
 * `licensekit issue-revocations --private-key FILE --sequence N [--revoke KEY]…`:
 * signs a revocation list (vendor side); programs import it with
 * `licensekit import` (or `state.importMessage`).
 */
import { CliExit, EXIT, type CliIo } from '../io.ts';
import { dateFlag, integerFlag, parseCommandArgs } from '../args.ts';
import { nodeBackend } from '../../backends/node.ts';
import { signRevocationList } from '../../formats/native/issue.ts';
import { readPrivateJwkFlag } from '../key-files.ts';
import { signOrExit, writeMessage } from './issue-reset.ts';

/** `--help` text of the issue-revocations command. */
export const ISSUE_REVOCATIONS_HELP = `licensekit issue-revocations --private-key FILE --sequence N [--revoke KEY]... [options]

Signs a revocation list (a native COSE_Sign1 message, armoured): the complete list of revoked
licenses, by license key or license id (hex). A state that imports it replaces its list; licenses
on it fail with REVOKED. A state refuses a list whose sequence is not above the one it holds, so
an older list (from before a revocation) cannot be brought back: number lists 1, 2, 3, ...

  --private-key FILE        private.jwk.json from licensekit keygen (required)
  --sequence N              the list's number, above every earlier list (required, >= 0)
  --revoke KEY              a revoked license key or id (repeatable; none = an empty list, which
                            lifts earlier revocations)
  --now ISO-8601            signing time instead of the clock
  --out FILE                write there instead of standard output

Exit status: 0 signed, 2 bad usage, 3 a key problem.`;

/** Runs `licensekit issue-revocations`. */
export async function issueRevocationsCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, {
    'private-key': { type: 'string', value: 'FILE' },
    sequence: { type: 'string', value: 'N' },
    revoke: { type: 'string', multiple: true, value: 'KEY' },
    now: { type: 'string', value: 'ISO-8601' },
    out: { type: 'string', value: 'FILE' },
    help: { type: 'boolean', short: 'h' },
  }, { command: 'issue-revocations' });
  if (values.help) {
    io.stdout(ISSUE_REVOCATIONS_HELP);
    return EXIT.OK;
  }
  if (!values['private-key']) throw new CliExit(EXIT.USAGE, 'issue-revocations needs --private-key FILE (private.jwk.json from licensekit keygen)');
  const sequence = integerFlag('sequence', values.sequence, 0);
  if (sequence === undefined) throw new CliExit(EXIT.USAGE, 'issue-revocations needs --sequence N (above every list signed before)');
  const revoked = values.revoke ?? [];
  if (revoked.some((r) => r === '')) throw new CliExit(EXIT.USAGE, '--revoke KEY must not be empty');
  const now = dateFlag('now', values.now) ?? new Date();
  const privateJwk = await readPrivateJwkFlag('private-key', values['private-key']);
  const text = await signOrExit(() => signRevocationList(sequence, revoked, { privateJwk, backend: nodeBackend, now }));
  io.stderr(`signed revocation list ${sequence} (${revoked.length} revoked)`);
  await writeMessage(text, values.out, io);
  return EXIT.OK;
}
