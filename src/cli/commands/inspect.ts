/**
 * `licensekit inspect FILE [--json]`: prints what a license file claims,
 * decoded but NOT verified and not judged.
 */
import { readLimited, FileReadError } from '../files.ts';
import { CliExit, EXIT, type CliIo } from '../io.ts';
import { parseCommandArgs } from '../args.ts';
import { licenseToJson } from '../render.ts';
import { renderTable } from '../table.ts';
import { inspectLicense } from '../../inspect.ts';
import { isLicenseKitError } from '../../lib/errors.ts';

/** `--help` text of the inspect command. */
export const INSPECT_HELP = `licensekit inspect FILE [--json]

Prints the decoded license WITHOUT verifying its signature or judging it.
Exit status: 0 decoded, 2 unreadable input.`;

const show = (v: unknown): string => (v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** Runs `licensekit inspect`. */
export async function inspectCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    io.stdout(INSPECT_HELP);
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw new CliExit(EXIT.USAGE, 'inspect needs exactly one FILE');
  const file = positionals[0]!;
  try {
    const inspection = inspectLicense(await readLimited(file));
    if (values.json) {
      let metadata: unknown = inspection.metadata;
      try {
        JSON.stringify(metadata);
      } catch {
        metadata = '[unsigned metadata too deeply nested to print]';
      }
      io.stdout(JSON.stringify({ file, ...inspection, metadata, license: licenseToJson(inspection.license) }));
    } else {
      const l = inspection.license;
      io.stdout(`${file}: ${inspection.format} (${inspection.form}), ${inspection.algorithm}, signature ${inspection.signatureBytes} bytes — NOT VERIFIED`);
      const rows = Object.entries(l)
        .filter(([k]) => k !== 'extra' && k !== 'format')
        .map(([k, v]) => [k, show(v)]);
      for (const [k, v] of Object.entries(l.extra)) rows.push([`(extra) ${k}`, show(v)]);
      io.stdout(renderTable(['field', 'value'], rows));
    }
    return EXIT.OK;
  } catch (error) {
    if (error instanceof FileReadError || isLicenseKitError(error)) {
      throw new CliExit(EXIT.USAGE, `${file}: [${(error as { code: string }).code}] ${(error as Error).message}`);
    }
    throw error;
  }
}
