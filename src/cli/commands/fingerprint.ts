/**
 * `licensekit fingerprint [--product SALT] [--json]`: prints this machine's
 * code and a table of its identity components with their status. Works
 * without root and says which components would need it. When no identifying
 * component is readable it still prints the table, says that no machine code
 * can be derived, and exits with 2.
 */
import type { Environment, FingerprintComponent } from '../../fingerprint/index.ts';
import { CliExit, EXIT, type CliIo } from '../io.ts';
import { parseCommandArgs } from '../args.ts';
import { DEFAULT_PRODUCT_SALT, PRODUCT_FLAG, RENAMED_SALT_FLAG, describeSalt, productSalt } from '../machine-code.ts';

/** Product salt used when `--product` is not given (the one default of every command). */
export const DEFAULT_FINGERPRINT_PRODUCT = DEFAULT_PRODUCT_SALT;

const HELP = `Usage: licensekit fingerprint [--product SALT] [--json] [--refresh]

Prints this machine's code (for Cryptolens' machine code / Mid) and the identity
components it was derived from. Component values are shown only as salted hashes.

Options:
  --product SALT  product salt; codes differ per product. Give the product id (or the
                  salt your program passes to machineCode({ product })): the code is then
                  the one issue/verify --product-id N --machine-code auto use
                  (default "${DEFAULT_FINGERPRINT_PRODUCT}", as verify without --product-id)
  --json          print {"machineCode", "product", "machineCodeBasis", "components": [...], "environment"}
                  (machineCode null and an "error" when no code can be derived)
  --refresh       collect again instead of using the cached readings
  --help          show this help

The machine code comes from the first readable of: system UUID, OS install id,
system serial, board serial, boot disk serial, permanent MACs of physical
adapters (root-only components never count; the CPU model never does).

Exit codes: 0 success, 2 bad usage or no machine code can be derived (no
identifying component is readable; the table says why).
`;

interface FingerprintArgs {
  readonly product: string;
  readonly json: boolean;
  readonly refresh: boolean;
  readonly help: boolean;
}

function parseArgs(args: readonly string[]): FingerprintArgs & { readonly salt: string } {
  const { values } = parseCommandArgs(
    args,
    { ...PRODUCT_FLAG, json: { type: 'boolean' }, refresh: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    { command: 'fingerprint', renamed: RENAMED_SALT_FLAG },
  );
  return { product: productSalt(values.product), salt: describeSalt(values.product, undefined), json: values.json === true, refresh: values.refresh === true, help: values.help === true };
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ').trimEnd()).join('\n');
}

function componentJson(c: FingerprintComponent) {
  return { name: c.name, kind: c.kind, weight: c.weight, status: c.status, hashes: c.hashes, ...(c.note === undefined ? {} : { note: c.note }) };
}

/** What was read: a fingerprint, or the components of a machine that has no machine code. */
interface Reading {
  readonly machineCode: string | null;
  readonly machineCodeBasis: readonly string[];
  readonly components: readonly FingerprintComponent[];
  readonly environment: Environment;
}

/**
 * Runs `licensekit fingerprint`. Returns the exit code; throws {@link CliExit}
 * for bad usage, and (after printing the component table) with exit 2 when no
 * identifying component is readable, so no machine code can be derived.
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
  const { fingerprint, MachineCodeUnavailableError } = await import('../../fingerprint/index.ts');
  let fp: Reading;
  let unavailable: InstanceType<typeof MachineCodeUnavailableError> | undefined;
  try {
    fp = await fingerprint({ product: options.product, refresh: options.refresh });
  } catch (error) {
    if (!(error instanceof MachineCodeUnavailableError)) throw error;
    unavailable = error;
    fp = { machineCode: null, machineCodeBasis: [], components: error.components, environment: error.environment };
  }
  const failure = unavailable === undefined ? undefined : new CliExit(EXIT.USAGE, `[${unavailable.code}] ${unavailable.message}`);
  if (options.json) {
    io.stdout(
      `${JSON.stringify(
        {
          machineCode: fp.machineCode,
          product: options.product,
          machineCodeBasis: fp.machineCodeBasis,
          ...(unavailable === undefined ? {} : { error: { code: unavailable.code, message: unavailable.message } }),
          components: fp.components.map(componentJson),
          environment: fp.environment,
        },
        null,
        2,
      )}\n`,
    );
    if (failure !== undefined) throw failure;
    return EXIT.OK;
  }
  const env = fp.environment;
  const where = [
    env.virtualMachine ? `virtual machine (${env.hypervisor ?? 'unknown'})` : 'physical machine',
    ...(env.container ? [`container (${env.containerRuntime ?? 'unknown'})`] : []),
    ...(env.userNamespace ? ['user namespace'] : []),
    ...(env.overlaidPaths.length > 0 ? [`mounts over ${env.overlaidPaths.join(', ')}`] : []),
  ].join(', ');
  const rows = [['component', 'kind', 'weight', 'status', 'note'], ...fp.components.map((c) => [c.name, c.kind, String(c.weight), c.status, c.note ?? ''])];
  const lines = [
    `machine code  ${fp.machineCode ?? 'none: no identifying component is readable'}`,
    `salted with   ${options.salt}`,
    `derived from  ${fp.machineCode === null ? 'nothing (the CPU model alone would be shared by every machine of the model)' : fp.machineCodeBasis.join(', ')}`,
    `environment   ${where}`,
    '',
    table(rows),
  ];
  const needRoot = fp.components.filter((c) => c.status === 'no-permission').map((c) => c.name);
  if (needRoot.length > 0) {
    lines.push('', `Not read without privileges: ${needRoot.join(', ')}. They are used for matching when available; the machine code never depends on them.`);
  }
  io.stdout(`${lines.join('\n')}\n`);
  if (failure !== undefined) throw failure;
  return EXIT.OK;
}
