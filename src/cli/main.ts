/**
 * The CLI dispatcher: declares the commands and lazily imports each one. The
 * only place that knows about `process` is `run`; commands return an exit code
 * or throw `CliExit`.
 */
import { CliExit, EXIT, type CliIo } from './io.ts';
import { exitStatusOf } from './exit-status.ts';
import { isLicenseKitError } from '../lib/errors.ts';
import { closest } from './did-you-mean.ts';
import { terminalSafe } from './terminal-text.ts';

type Command = (args: string[], io: CliIo) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  verify: { summary: 'verify license files offline and report every check', load: async () => (await import('./commands/verify.ts')).verifyCommand },
  inspect: { summary: 'print a license file decoded, without verifying or judging it', load: async () => (await import('./commands/inspect.ts')).inspectCommand },
  fingerprint: { summary: "print this machine's code and identity components", load: async () => (await import('./commands/fingerprint.ts')).fingerprintCommand },
  keygen: { summary: 'make a vendor key pair (private JWK, public XML/PEM/JWK)', load: async () => (await import('./commands/keygen.ts')).keygenCommand },
  issue: { summary: 'issue a Cryptolens-format license signed with the vendor key', load: async () => (await import('./commands/issue.ts')).issueCommand },
  demo: { summary: 'issue a license bound to this machine, verify it, tamper it, verify again', load: async () => (await import('./commands/demo.ts')).demoCommand },
  activate: { summary: 'verify a license and store it in the local state, binding what its policy asks', load: async () => (await import('./commands/activate.ts')).activateCommand },
  validate: { summary: "check a stored license by its key with the state's rules (Whop's 201/400/404)", load: async () => (await import('./commands/validate.ts')).validateCommand },
  import: { summary: 'import a vendor-signed reset, revocation list or refreshed license into the state', load: async () => (await import('./commands/import.ts')).importCommand },
  status: { summary: 'print what the local state holds and whether it verified', load: async () => (await import('./commands/status.ts')).statusCommand },
  'issue-reset': { summary: "sign a reset of a license's HWID binding (vendor side)", load: async () => (await import('./commands/issue-reset.ts')).issueResetCommand },
  'issue-revocations': { summary: 'sign a revocation list (vendor side)', load: async () => (await import('./commands/issue-revocations.ts')).issueRevocationsCommand },
  customer: { summary: 'the vendor ledger\'s customers: add (with a unique secret), bundle (all their licenses, encrypted and signed)', load: async () => (await import('./commands/customer.ts')).customerCommand },
  'open-bundle': { summary: 'open a customer bundle with the customer secret: list, write or activate its licenses', load: async () => (await import('./commands/open-bundle.ts')).openBundleCommand },
  request: { summary: 'make a signed activation request (file and QR code) for an offline machine', load: async () => (await import('./commands/request.ts')).requestCommand },
  respond: { summary: 'answer an activation request from the ledger: a license bound to that machine (vendor side)', load: async () => (await import('./commands/respond.ts')).respondCommand },
  deactivate: { summary: 'remove a license from this machine and write a signed receipt that frees its seat', load: async () => (await import('./commands/deactivate.ts')).deactivateCommand },
  ledger: { summary: 'the vendor ledger: add-license, list, revoke, release (seats of offline activations)', load: async () => (await import('./commands/ledger.ts')).ledgerCommand },
  web: { summary: 'serve the license inspector page on 127.0.0.1 (paste a license and a key, see every check)', load: async () => (await import('./commands/web.ts')).webCommand },
};

/** The top-level `--help` text. */
export function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    'licensekit: offline license verification',
    '',
    'Usage: licensekit <command> [options]   (licensekit <command> --help for details)',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Exit status: 0 valid / success, 1 a license is not valid, 2 bad usage or unreadable input, 3 key problem,',
    `${EXIT.STDOUT_CLOSED} standard output was closed before everything was written (as "| head"; the rest is not printed).`,
  ].join('\n');
}

/** The command called `name` (own entries only: "constructor" is not a command). */
function commandNamed(name: string): (typeof COMMANDS)[string] | undefined {
  return Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
}

function unknownCommand(name: string, io: CliIo): number {
  const guess = closest(name, Object.keys(COMMANDS));
  io.stderr(`licensekit: unknown command "${name}"${guess === undefined ? '' : `; did you mean "${guess}"?`} (licensekit --help lists the commands)`);
  return EXIT.USAGE;
}

/**
 * Runs the CLI with `argv` (without node and script); returns the exit code.
 * Everything written to standard error is one line passed through
 * {@link terminalSafe}: messages quote file names, parser errors and values
 * from files.
 */
export async function runCli(argv: string[], rawIo: CliIo): Promise<number> {
  const io: CliIo = { stdout: (t) => rawIo.stdout(t), stderr: (t) => rawIo.stderr(terminalSafe(t)) };
  let [name, ...rest] = argv;
  if (name === 'help' && rest.length > 0) {
    // `licensekit help verify` is `licensekit verify --help`
    if (!commandNamed(rest[0]!)) return unknownCommand(rest[0]!, io);
    [name, rest] = [rest[0]!, ['--help']];
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(mainHelp());
    return name === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (name === '--version') {
    io.stdout('licensekit 0.1.0');
    return EXIT.OK;
  }
  const command = commandNamed(name);
  if (!command) return unknownCommand(name, io);
  try {
    return await (await command.load())(rest, io);
  } catch (error) {
    if (error instanceof CliExit) {
      io.stderr(`licensekit ${name}: ${error.message}`);
      return error.exitCode;
    }
    if (isLicenseKitError(error)) {
      io.stderr(`licensekit ${name}: [${error.code}] ${error.message}`);
      return exitStatusOf(error.code);
    }
    io.stderr(`licensekit ${name}: internal error: ${(error as Error)?.message ?? String(error)} (please report this)`);
    return EXIT.USAGE;
  }
}

/**
 * Entry used by `bin/licensekit.js`: wires `process` to {@link runCli}. A
 * reader that closes standard output early (`licensekit inspect … | head -1`)
 * ends the command at once and quietly with {@link EXIT.STDOUT_CLOSED}, the
 * status a shell reports for a program stopped by SIGPIPE: not 0, since not
 * everything was delivered, and not 1, which means "not valid". A closed
 * standard error is ignored (there is nowhere left to say anything).
 */
export async function main(): Promise<void> {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT.STDOUT_CLOSED);
    throw error;
  });
  process.stderr.on('error', () => {});
  const io: CliIo = { stdout: (t) => process.stdout.write(t + '\n'), stderr: (t) => process.stderr.write(t + '\n') };
  process.exitCode = await runCli(process.argv.slice(2), io);
}
