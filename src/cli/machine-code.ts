/**
 * `--machine-code CODE|auto` for the commands that take it: "auto" is this
 * machine's code under a product salt; a fingerprint that cannot be derived is
 * a usage error (exit 2), never a stack trace.
 */
import { CliExit, EXIT } from './io.ts';
import { FingerprintError } from '../lib/errors.ts';

/** The machine code a `--machine-code` value stands for (`undefined` when not given). */
export async function resolveMachineCodeFlag(value: string | undefined, salt: string): Promise<string | undefined> {
  if (value !== 'auto') return value;
  const { machineCode } = await import('../fingerprint/index.ts');
  try {
    return await machineCode({ product: salt });
  } catch (error) {
    if (error instanceof FingerprintError) throw new CliExit(EXIT.USAGE, `--machine-code auto: [${error.code}] ${error.message}`);
    throw error;
  }
}
