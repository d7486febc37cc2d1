/**
 * The CLI dispatcher: declares the commands and lazily imports each one. The
 * only place that knows about `process` is `run`; commands return an exit code
 * or throw `CliExit`.
 */
import { CliExit, EXIT, type CliIo } from './io.ts';
import { exitStatusOf } from './exit-status.ts';
import { isLicenseKitError } from '../lib/errors.ts';

type Command = (args: string[], io: CliIo) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  verify: { summary: 'verify license files offline and report every check', load: async () => (await import('./commands/verify.ts')).verifyCommand },
  inspect: { summary: 'print a license file decoded, without verifying or judging it', load: async () => (await import('./commands/inspect.ts')).inspectCommand },
  fingerprint: { summary: "print this machine's code and identity components", load: async () => (await import('./commands/fingerprint.ts')).fingerprintCommand },
  keygen: { summary: 'make a vendor key pair (private JWK, public XML/PEM/JWK)', load: async () => (await import('./commands/keygen.ts')).keygenCommand },
  issue: { summary: 'issue a Cryptolens-format license signed with the vendor key', load: async () => (await import('./commands/issue.ts')).issueCommand },
  demo: { summary: 'issue a license bound to this machine, verify it, tamper it, verify again', load: async () => (await import('./commands/demo.ts')).demoCommand },
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
    'Exit status: 0 valid / success, 1 a license is not valid, 2 bad usage or unreadable input, 3 key problem.',
  ].join('\n');
}

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(mainHelp());
    return name === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (name === '--version') {
    io.stdout('licensekit 0.1.0');
    return EXIT.OK;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`licensekit: unknown command "${name}"\n\n${mainHelp()}`);
    return EXIT.USAGE;
  }
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

/** Entry used by `bin/licensekit.js`: wires `process` to {@link runCli}. */
export async function main(): Promise<void> {
  const io: CliIo = { stdout: (t) => process.stdout.write(t + '\n'), stderr: (t) => process.stderr.write(t + '\n') };
  process.exitCode = await runCli(process.argv.slice(2), io);
}
