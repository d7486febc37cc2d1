/**
 * What CLI commands write to, so they can be run in tests without a process.
 * Only `src/cli/main.ts` touches `process`; commands return an exit code or
 * throw a {@link CliExit}.
 */

/** Output channels of a command. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Exit codes, documented in `--help`. */
export const EXIT = Object.freeze({
  /** Every license is valid (or the command succeeded). */
  OK: 0,
  /** At least one license is not valid. */
  INVALID: 1,
  /** Bad usage or unreadable input. */
  USAGE: 2,
  /** A key problem. */
  KEY: 3,
  /** Standard output was closed by its reader before everything was written (128 + SIGPIPE, as a shell reports it). */
  STDOUT_CLOSED: 141,
});

/** Thrown by commands to stop with a message and an exit code. */
export class CliExit extends Error {
  readonly exitCode: number;
  constructor(exitCode: number, message: string) {
    super(message);
    this.exitCode = exitCode;
    this.name = 'CliExit';
  }
}
