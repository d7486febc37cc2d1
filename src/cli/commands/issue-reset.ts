/**
 * `licensekit issue-reset --private-key FILE --license-key KEY --counter N`:
 * signs a reset of one license's HWID binding (vendor side); the customer
 * imports it with `licensekit import` (or `state.importMessage`).
 */
import { writeFile } from 'node:fs/promises';
import { CliExit, EXIT, type CliIo } from '../io.ts';
import { dateFlag, integerFlag, parseCommandArgs } from '../args.ts';
import { nodeBackend } from '../../backends/node.ts';
import { signResetMessage } from '../../formats/native/issue.ts';
import { isLicenseKitError } from '../../lib/errors.ts';
import { readPrivateJwkFlag } from '../key-files.ts';

/** `--help` text of the issue-reset command. */
export const ISSUE_RESET_HELP = `licensekit issue-reset --private-key FILE --license-key KEY --counter N [options]

Signs a reset of a license's HWID binding (a native COSE_Sign1 message, armoured). Importing it
(licensekit import, or state.importMessage) clears the binding; the next check binds again. Each
state remembers the last counter it imported for the license and refuses a reset whose counter is
not above it, so a reset cannot be replayed: give 1 for the first reset of a license, then 2, ...

  --private-key FILE        private.jwk.json from licensekit keygen (required)
  --license-key KEY         the license's key, as validate names it (required)
  --counter N               this reset's number, above every earlier reset of the license (required, >= 1)
  --now ISO-8601            signing time instead of the clock
  --out FILE                write there instead of standard output

Exit status: 0 signed, 2 bad usage, 3 a key problem.`;

/** Writes an armoured message to `--out` or standard output. */
export async function writeMessage(text: string, out: string | undefined, io: CliIo): Promise<void> {
  if (out !== undefined) {
    await writeFile(out, text.trimEnd() + '\n');
    io.stderr(`wrote ${out}`);
  } else io.stdout(text.trimEnd());
}

/** Signs with `sign`, turning a bad claim into a usage error and anything else into a key problem. */
export async function signOrExit(sign: () => Promise<{ text: string }>): Promise<string> {
  try {
    return (await sign()).text;
  } catch (error) {
    if (isLicenseKitError(error) && error.code === 'ERR_OPTION_INVALID') throw new CliExit(EXIT.USAGE, error.message);
    throw new CliExit(EXIT.KEY, `signing failed: ${(error as Error).message}`);
  }
}

/** Runs `licensekit issue-reset`. */
export async function issueResetCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, {
    'private-key': { type: 'string', value: 'FILE' },
    'license-key': { type: 'string', value: 'KEY' },
    counter: { type: 'string', value: 'N' },
    now: { type: 'string', value: 'ISO-8601' },
    out: { type: 'string', value: 'FILE' },
    help: { type: 'boolean', short: 'h' },
  }, { command: 'issue-reset' });
  if (values.help) {
    io.stdout(ISSUE_RESET_HELP);
    return EXIT.OK;
  }
  if (!values['private-key']) throw new CliExit(EXIT.USAGE, 'issue-reset needs --private-key FILE (private.jwk.json from licensekit keygen)');
  if (!values['license-key']) throw new CliExit(EXIT.USAGE, 'issue-reset needs --license-key KEY');
  const counter = integerFlag('counter', values.counter, 1);
  if (counter === undefined) throw new CliExit(EXIT.USAGE, 'issue-reset needs --counter N (1 for the first reset of this license, then 2, ...)');
  const now = dateFlag('now', values.now) ?? new Date();
  const privateJwk = await readPrivateJwkFlag('private-key', values['private-key']);
  const text = await signOrExit(() => signResetMessage(values['license-key']!, counter, { privateJwk, backend: nodeBackend, now }));
  io.stderr(`signed reset ${counter} of ${values['license-key']}`);
  await writeMessage(text, values.out, io);
  return EXIT.OK;
}
