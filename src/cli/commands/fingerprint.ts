/**
 * `licensekit fingerprint [--product SALT] [--json]`: prints this machine's
 * code and a table of its identity components with their status. Works
 * without root and says which components would need it.
 */
import { CliExit, EXIT, type CliIo } from '../io.ts';

/** Product salt used when `--product` is not given. */
export const DEFAULT_FINGERPRINT_PRODUCT = 'licensekit';

const HELP = `Usage: licensekit fingerprint [--product SALT] [--json] [--refresh]

Prints this machine's code (for Cryptolens' machine code / Mid) and the identity
components it was derived from. Component values are shown only as salted hashes.

Options:
  --product SALT  product salt; codes differ per product (default "${DEFAULT_FINGERPRINT_PRODUCT}")
  --json          print {"machineCode", "machineCodeBasis", "components": [...], "environment"}
  --help          show this help

Exit codes: 0 success, 2 bad usage.
`;

interface FingerprintArgs {
  readonly product: string;
  readonly json: boolean;
  readonly help: boolean;
}

function parseArgs(args: readonly string[]): FingerprintArgs {
  let product = DEFAULT_FINGERPRINT_PRODUCT;
  let json = false;
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--json') json = true;
    else if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--product') {
      const value = args[++i];
      if (value === undefined || value.startsWith('--')) throw new CliExit(EXIT.USAGE, '--product expects a value');
      product = value;
    } else if (arg.startsWith('--product=')) product = arg.slice('--product='.length);
    else throw new CliExit(EXIT.USAGE, `unknown argument "${arg}" (see licensekit fingerprint --help)`);
  }
  if (product === '' || product.length > 256) throw new CliExit(EXIT.USAGE, '--product expects 1 to 256 characters');
  return { product, json, help };
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ').trimEnd()).join('\n');
}

/**
 * Runs `licensekit fingerprint`. Returns the exit code; throws {@link CliExit}
 * for bad usage.
 *
 * @example
 * await fingerprintCommand(['--product', 'acme-cad', '--json'], { stdout: console.log, stderr: console.error });
 */
export async function fingerprintCommand(args: string[], io: CliIo): Promise<number> {
  const options = parseArgs(args);
  if (options.help) {
    io.stdout(HELP);
    return EXIT.OK;
  }
  const { fingerprint } = await import('../../fingerprint/index.ts');
  const fp = await fingerprint({ product: options.product });
  if (options.json) {
    io.stdout(
      `${JSON.stringify(
        {
          machineCode: fp.machineCode,
          machineCodeBasis: fp.machineCodeBasis,
          components: fp.components.map((c) => ({ name: c.name, kind: c.kind, weight: c.weight, status: c.status, hashes: c.hashes, ...(c.note === undefined ? {} : { note: c.note }) })),
          environment: fp.environment,
        },
        null,
        2,
      )}\n`,
    );
    return EXIT.OK;
  }
  const env = fp.environment;
  const where = [
    env.virtualMachine ? `virtual machine (${env.hypervisor ?? 'unknown'})` : 'physical machine',
    ...(env.container ? [`container (${env.containerRuntime ?? 'unknown'})`] : []),
  ].join(', ');
  const rows = [['component', 'kind', 'weight', 'status', 'note'], ...fp.components.map((c) => [c.name, c.kind, String(c.weight), c.status, c.note ?? ''])];
  const lines = [
    `machine code  ${fp.machineCode}`,
    `derived from  ${fp.machineCodeBasis.length > 0 ? fp.machineCodeBasis.join(', ') : 'nothing readable (weak)'}`,
    `environment   ${where}`,
    '',
    table(rows),
  ];
  const needRoot = fp.components.filter((c) => c.status === 'no-permission').map((c) => c.name);
  if (needRoot.length > 0) {
    lines.push('', `Not read without privileges: ${needRoot.join(', ')}. They are used for matching when available; the machine code never depends on them.`);
  }
  io.stdout(`${lines.join('\n')}\n`);
  return EXIT.OK;
}
