/**
 * `licensekit customer add|bundle` (vendor side): customers with a secret in
 * the ledger, and one encrypted, signed file of all of a customer's licenses.
 */
import { writeFile } from 'node:fs/promises';
import { CliExit, EXIT, type CliIo } from '../io.ts';
import { dateFlag, integerFlag, parseCommandArgs } from '../args.ts';
import { readPrivateJwkFlag } from '../key-files.ts';
import { terminalSafe } from '../terminal-text.ts';
import { nodeBackend } from '../../backends/node.ts';
import type { FileLedger } from '../../ledger/file.node.ts';
import { OptionError } from '../../lib/errors.ts';

/** `--help` text of the customer command. */
export const CUSTOMER_HELP = `licensekit customer <subcommand> --ledger DIR [options]

Customers and their secrets (vendor side). A customer secret is a password you send a customer so
they can open all their licenses without an account: a GUID (6dffda95-05cb-4754-bb49-c4a0be6ea647,
the default) or four groups of five capital letters (WPIGP-UPHHT-INUYJ-MSDTJ), drawn from the
CSPRNG. No two customers share one.

  customer add --ledger DIR --name NAME [--secret-format guid|key] [--secret S] [--id ID] [--json]
      Adds a customer (creating the ledger when there is none) and prints their id and secret.
      A generated secret another customer has is drawn again; a supplied one (--secret, e.g.
      imported from Cryptolens) is refused with "A customer with the same secret exists." (exit 2).

  customer bundle --ledger DIR --customer ID --private-key FILE --out FILE [options]
      Issues a native license for each of the customer's ledger licenses that is not revoked
      (product, license key, customer) and writes them as one customer bundle: encrypted
      (XChaCha20-Poly1305) under a key derived from the customer's secret (scrypt, N = 2^15,
      r = 8, p = 1) and signed with the vendor key. The secret is not in the file. The customer
      opens it with licensekit open-bundle FILE --secret S --key KEY.
        --expires ISO-8601 | --days N   the licenses' expiry (default 30 days)
        --now ISO-8601            signing time instead of the clock
        --alg rs256|ps256         the algorithm for an RSA key (default ps256; Ed25519 keys sign EdDSA)
        --binary                  write the COSE bytes instead of the armoured text
        --json                    print { out, customer, licenseKeys, bytes }

Exit status: 0 done, 2 bad usage, a ledger problem (ERR_LEDGER_*) or a taken secret
(ERR_CUSTOMER_SECRET_TAKEN), 3 a key problem.`;

async function open(directory: string | undefined, sub: string, create: boolean): Promise<FileLedger> {
  if (directory === undefined || directory === '') throw new CliExit(EXIT.USAGE, `customer ${sub} needs --ledger DIR (the ledger folder)`);
  const { openLedger } = await import('../../ledger/file.node.ts');
  return openLedger(directory, { create });
}

function required(value: string | undefined, flag: string, sub: string, what: string): string {
  if (value === undefined || value === '') throw new CliExit(EXIT.USAGE, `customer ${sub} needs --${flag} ${what}`);
  return value;
}

async function add(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, {
    ledger: { type: 'string', value: 'DIR' },
    name: { type: 'string', value: 'NAME' },
    'secret-format': { type: 'string', value: 'guid|key' },
    secret: { type: 'string', value: 'S' },
    id: { type: 'string', value: 'ID' },
    now: { type: 'string', value: 'ISO-8601' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  }, { command: 'customer add' });
  if (values.help) {
    io.stdout(CUSTOMER_HELP);
    return EXIT.OK;
  }
  const name = required(values.name, 'name', 'add', 'NAME');
  const format = values['secret-format'];
  if (format !== undefined && format !== 'guid' && format !== 'key') throw new CliExit(EXIT.USAGE, `--secret-format must be guid or key, got "${terminalSafe(format)}"`);
  if (format !== undefined && values.secret !== undefined) throw new CliExit(EXIT.USAGE, 'give --secret S or --secret-format, not both (a supplied secret keeps its own form)');
  const now = dateFlag('now', values.now) ?? new Date();
  const { addCustomerWithSecret } = await import('../../customers/vendor.ts');
  const ledger = await open(values.ledger, 'add', true);
  let customer;
  try {
    customer = await addCustomerWithSecret(ledger, { name, ...(values.secret === undefined ? {} : { secret: values.secret }), ...(format === undefined ? {} : { secretFormat: format }), ...(values.id === undefined ? {} : { id: values.id }) }, now.getTime());
  } catch (error) {
    if (error instanceof OptionError) throw new CliExit(EXIT.USAGE, error.message);
    throw error;
  }
  const secretFormat = /^[A-Z]{5}-/.test(customer.secret) ? 'key' : 'guid';
  if (values.json) io.stdout(JSON.stringify({ id: customer.id, name: customer.name, secret: customer.secret, secretFormat }));
  else io.stdout([`added customer ${terminalSafe(customer.id)} (${terminalSafe(customer.name)})`, `secret: ${customer.secret}`].join('\n'));
  return EXIT.OK;
}

async function bundle(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, {
    ledger: { type: 'string', value: 'DIR' },
    customer: { type: 'string', value: 'ID' },
    'private-key': { type: 'string', value: 'FILE' },
    out: { type: 'string', value: 'FILE' },
    expires: { type: 'string', value: 'ISO-8601' },
    days: { type: 'string', value: 'N' },
    now: { type: 'string', value: 'ISO-8601' },
    alg: { type: 'string', value: 'rs256|ps256' },
    binary: { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  }, { command: 'customer bundle' });
  if (values.help) {
    io.stdout(CUSTOMER_HELP);
    return EXIT.OK;
  }
  const customerId = required(values.customer, 'customer', 'bundle', 'ID');
  const privateKey = required(values['private-key'], 'private-key', 'bundle', 'FILE (private.jwk.json from licensekit keygen)');
  const out = required(values.out, 'out', 'bundle', 'FILE');
  if (values.expires && values.days) throw new CliExit(EXIT.USAGE, 'give --expires or --days, not both');
  const alg = values.alg?.toUpperCase();
  if (alg !== undefined && alg !== 'RS256' && alg !== 'PS256') throw new CliExit(EXIT.USAGE, `--alg must be rs256 or ps256, got "${terminalSafe(values.alg!)}"`);
  const now = dateFlag('now', values.now) ?? new Date();
  const days = integerFlag('days', values.days, 0);
  const expires = dateFlag('expires', values.expires) ?? new Date(now.getTime() + (days ?? 30) * 86_400_000);
  const signingKey = await readPrivateJwkFlag('private-key', privateKey);
  const { bundleCustomerLicenses } = await import('../../customers/vendor.ts');
  const ledger = await open(values.ledger, 'bundle', false);
  let sealed;
  try {
    sealed = await bundleCustomerLicenses(ledger, { customerId, signingKey, backend: nodeBackend, now, expires, ...(alg === undefined ? {} : { algorithm: alg as 'RS256' | 'PS256' }) });
  } catch (error) {
    if (error instanceof OptionError) throw new CliExit(/signingKey|privateJwk|algorithm/.test(error.message) ? EXIT.KEY : EXIT.USAGE, error.message);
    throw error;
  }
  await writeFile(out, values.binary ? sealed.bytes : sealed.text);
  if (values.json) io.stdout(JSON.stringify({ out, customer: sealed.customer.id, licenseKeys: sealed.licenseKeys, bytes: sealed.bytes.length }));
  else io.stderr(`wrote ${out}: ${sealed.licenses} license${sealed.licenses === 1 ? '' : 's'} of customer ${sealed.customer.id} (${sealed.licenseKeys.join(', ')}), sealed under their secret`);
  return EXIT.OK;
}

const SUBCOMMANDS: Readonly<Record<string, (args: string[], io: CliIo) => Promise<number>>> = Object.freeze({ add, bundle });

/** Runs `licensekit customer`. */
export async function customerCommand(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout(CUSTOMER_HELP);
    return sub === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (!Object.hasOwn(SUBCOMMANDS, sub)) {
    const { closest } = await import('../did-you-mean.ts');
    const guess = closest(sub, Object.keys(SUBCOMMANDS));
    throw new CliExit(EXIT.USAGE, `unknown subcommand "${sub}"${guess === undefined ? '' : `; did you mean "${guess}"?`} (licensekit customer --help lists them)`);
  }
  return SUBCOMMANDS[sub]!(rest, io);
}
