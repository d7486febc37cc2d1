/**
 * `licensekit ledger <add-license|list|revoke|release|release-seat> --ledger DIR ...`: the
 * vendor ledger (src/ledger/) from the command line. Thin: each subcommand
 * parses its flags, calls the ledger (or `releaseReceipt`), and prints.
 */
import { CliExit, EXIT, type CliIo } from '../io.ts';
import { dateFlag, integerFlag, parseCommandArgs } from '../args.ts';
import { readLimited } from '../files.ts';
import { renderTable } from '../table.ts';
import { terminalSafe } from '../terminal-text.ts';
import type { FileLedger } from '../../ledger/file.node.ts';
import type { LedgerActivation, LedgerCustomer, LedgerLicense } from '../../ledger/ledger.ts';

/** `--help` text of the ledger command. */
export const LEDGER_HELP = `licensekit ledger <subcommand> --ledger DIR [options]

The vendor ledger: the licenses sold (key, product, machine limit, customer), the customers, and
which machines hold a seat of which license. It answers activation requests (licensekit respond)
and is kept in one folder: an append-only journal (ledger.journal) that several vendor processes
can use at once and a crash cannot damage. Back it up or move it by copying the folder.

  add-license --ledger DIR --license-key LK --product-id N --max-machines M [--customer ID]
                            add a license (creates the ledger when the folder has none)
  list --ledger DIR [--json]
                            licenses with seats held / limit and the machines holding them
                            (device key id, fingerprint prefix, since), and customers (never
                            their secrets)
  revoke --ledger DIR --license-key LK
                            revoke a license: no new activation is answered for it
  release RECEIPT --ledger DIR
                            free the seat named by a deactivation receipt (licensekit
                            deactivate), once
  release-seat --ledger DIR --license-key LK --device DEVICE_KEY_ID
                            free a seat without a receipt (a dead machine that can never
                            write one): the vendor's override, recorded as such

licensekit ledger <subcommand> --help describes each.

Exit status: 0 done, 2 bad usage, an unknown or duplicate license, an invalid or used receipt,
or a ledger problem (ERR_LEDGER_*).`;

const ADD_LICENSE_HELP = `licensekit ledger add-license --ledger DIR --license-key LK --product-id N --max-machines M [options]

Adds a license to the ledger (creating the ledger when DIR holds none). A key already in the
ledger is refused (ERR_LEDGER_DUPLICATE), as is a customer the ledger does not have
(ERR_LEDGER_NOT_FOUND: add it with licensekit customer add).

  --ledger DIR              the ledger folder (required)
  --license-key LK          the license key (required; unique in the ledger)
  --product-id N            the product: a whole number, or a product name (required)
  --max-machines M          how many machines may hold a seat at once (required, >= 0)
  --customer ID             the customer who owns it
  --now ISO-8601            the time recorded instead of the clock
  --json                    print the license added as JSON

Exit status: 0 added, 2 bad usage, a duplicate key, an unknown customer or a ledger problem.`;

const LIST_HELP = `licensekit ledger list --ledger DIR [--json]

Prints every license (key, product, seats held / limit, customer, revoked), the machines holding
each (activation id, device key id, the first 16 characters of the recorded fingerprint, since
when), and every customer (id, name, how many licenses), never a customer's secret.

  --ledger DIR              the ledger folder (required; it must exist)
  --json                    { licenses: [{ licenseKey, productId, maxMachines, seatsHeld, customerId,
                            revoked, createdAt, machines: [{ activationId, deviceKeyId,
                            fingerprintPrefix, since }] }], customers: [{ id, name, createdAt,
                            licenses }] }

Exit status: 0 listed, 2 bad usage or a ledger problem (none in DIR: ERR_LEDGER_NOT_FOUND).`;

const REVOKE_HELP = `licensekit ledger revoke --ledger DIR --license-key LK [--json]

Marks a license revoked (again is harmless): licensekit respond refuses every new activation of
it. Seats already held stay recorded; licenses already issued expire or are revoked on the
machines by a revocation list (licensekit issue-revocations).

  --ledger DIR              the ledger folder (required; it must exist)
  --license-key LK          the license to revoke (required)
  --json                    print the license as JSON

Exit status: 0 revoked, 2 bad usage, an unknown license or a ledger problem.`;

const RELEASE_HELP = `licensekit ledger release RECEIPT --ledger DIR [--now ISO-8601] [--json]

Frees the seat a deactivation receipt names (licensekit deactivate writes it on the machine that
gave the seat up). The receipt must verify under the device key the ledger recorded for that
seat, and is accepted once: a receipt used before is ERR_RECEIPT_USED.

  --ledger DIR              the ledger folder (required; it must exist)
  --now ISO-8601            the release time recorded instead of the clock
  --json                    print { licenseKey, deviceKeyId, receiptId, releasedAt }

Exit status: 0 released, 2 bad usage, an invalid or used receipt (ERR_RECEIPT_*), or a ledger problem.`;

const RELEASE_SEAT_HELP = `licensekit ledger release-seat --ledger DIR --license-key LK --device DEVICE_KEY_ID [--now ISO-8601] [--json]

Frees the seat that a machine's device key holds of a license WITHOUT a deactivation receipt:
the vendor's override for a machine that died and can never write one. The ledger records it as
the vendor's release (ledger list --json shows no held seat; the journal keeps who freed it).
The license that machine was given stays valid on it until it expires: prefer a receipt
(licensekit deactivate, then ledger release) whenever the machine still runs. The device key id
is the one ledger list shows under "Machines holding".

  --ledger DIR              the ledger folder (required; it must exist)
  --license-key LK          the license (required)
  --device DEVICE_KEY_ID    the device key id holding the seat (required)
  --now ISO-8601            the release time recorded instead of the clock
  --json                    print { licenseKey, deviceKeyId, activationId, releasedAt, releasedBy: "vendor" }

Exit status: 0 released, 2 bad usage, an unknown license, a device holding no seat of it
(ERR_LEDGER_NOT_FOUND), or a ledger problem.`;

const SUBCOMMANDS: Readonly<Record<string, (args: string[], io: CliIo) => Promise<number>>> = Object.freeze({
  'add-license': addLicense,
  list,
  revoke,
  release,
  'release-seat': releaseSeat,
});

/** Runs `licensekit ledger`. */
export async function ledgerCommand(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout(LEDGER_HELP);
    return sub === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (!Object.hasOwn(SUBCOMMANDS, sub)) {
    const { closest } = await import('../did-you-mean.ts');
    const guess = closest(sub, Object.keys(SUBCOMMANDS));
    throw new CliExit(EXIT.USAGE, `unknown subcommand "${sub}"${guess === undefined ? '' : `; did you mean "${guess}"?`} (licensekit ledger --help lists them)`);
  }
  return SUBCOMMANDS[sub]!(rest, io);
}

async function open(directory: string | undefined, sub: string, create: boolean): Promise<FileLedger> {
  if (directory === undefined || directory === '') throw new CliExit(EXIT.USAGE, `ledger ${sub} needs --ledger DIR (the ledger folder)`);
  const { openLedger } = await import('../../ledger/file.node.ts');
  return openLedger(directory, { create });
}

function required(value: string | undefined, flag: string, sub: string, what: string): string {
  if (value === undefined || value === '') throw new CliExit(EXIT.USAGE, `ledger ${sub} needs --${flag} ${what}`);
  return value;
}

const iso = (ms: number): string => new Date(ms).toISOString();

function licenseJson(license: LedgerLicense): Record<string, unknown> {
  return { licenseKey: license.licenseKey, productId: license.productId, maxMachines: license.maxMachines, customerId: license.customerId, revoked: license.revoked, createdAt: iso(license.createdMs) };
}

async function addLicense(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, {
    ledger: { type: 'string', value: 'DIR' },
    'license-key': { type: 'string', value: 'LK' },
    'product-id': { type: 'string', value: 'N' },
    'max-machines': { type: 'string', value: 'M' },
    customer: { type: 'string', value: 'ID' },
    now: { type: 'string', value: 'ISO-8601' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  }, { command: 'ledger add-license' });
  if (values.help) {
    io.stdout(ADD_LICENSE_HELP);
    return EXIT.OK;
  }
  const sub = 'add-license';
  const licenseKey = required(values['license-key'], 'license-key', sub, 'LK');
  const product = required(values['product-id'], 'product-id', sub, 'N');
  const productId = /^\d+$/.test(product) ? integerFlag('product-id', product, 0)! : product;
  const maxMachines = integerFlag('max-machines', required(values['max-machines'], 'max-machines', sub, 'M'), 0)!;
  if (values.customer === '') throw new CliExit(EXIT.USAGE, '--customer ID must not be empty');
  const now = dateFlag('now', values.now) ?? new Date();
  const ledger = await open(values.ledger, sub, true);
  const license = await ledger.addLicense({ licenseKey, productId, maxMachines, customerId: values.customer ?? null }, now.getTime());
  if (values.json) io.stdout(JSON.stringify(licenseJson(license)));
  else {
    io.stdout(terminalSafe(`added ${license.licenseKey}: product ${String(license.productId)}, up to ${license.maxMachines} machine${license.maxMachines === 1 ? '' : 's'}${license.customerId === null ? '' : `, customer ${license.customerId}`}`));
  }
  return EXIT.OK;
}

/** The first characters of a recorded fingerprint (enough to tell machines apart in a listing). */
const FINGERPRINT_PREFIX = 16;

function machineJson(a: LedgerActivation): Record<string, unknown> {
  return { activationId: a.id, deviceKeyId: a.deviceKeyId, fingerprintPrefix: a.fingerprint === null ? null : a.fingerprint.slice(0, FINGERPRINT_PREFIX), since: iso(a.activatedMs) };
}

async function list(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, {
    ledger: { type: 'string', value: 'DIR' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  }, { command: 'ledger list' });
  if (values.help) {
    io.stdout(LIST_HELP);
    return EXIT.OK;
  }
  const ledger = await open(values.ledger, 'list', false);
  const licenses = await ledger.listLicenses();
  const activations = await ledger.listActivations();
  const customers: readonly LedgerCustomer[] = await ledger.listCustomers();
  const heldOf = (key: string): LedgerActivation[] => activations.filter((a) => a.licenseKey === key && a.releasedMs === null);
  const licensesOf = (id: string): number => licenses.filter((l) => l.customerId === id).length;
  if (values.json) {
    io.stdout(JSON.stringify({
      licenses: licenses.map((l) => {
        const held = heldOf(l.licenseKey);
        return { ...licenseJson(l), seatsHeld: held.length, machines: held.map(machineJson) };
      }),
      // Never the secret: it opens the customer's licenses.
      customers: customers.map((c) => ({ id: c.id, name: c.name, createdAt: iso(c.createdMs), licenses: licensesOf(c.id) })),
    }));
    return EXIT.OK;
  }
  // Keys, names and ids come from whoever filled the ledger: every cell is shown with controls escaped.
  const table = (header: readonly string[], rows: readonly (readonly string[])[]): string => renderTable(header, rows.map((row) => row.map(terminalSafe)));
  const lines = [`ledger ${terminalSafe(values.ledger!)}: ${licenses.length} license${licenses.length === 1 ? '' : 's'}, ${customers.length} customer${customers.length === 1 ? '' : 's'}`];
  if (licenses.length > 0) {
    lines.push('', 'Licenses');
    lines.push(table(['license key', 'product', 'seats', 'customer', 'status'], licenses.map((l) => [l.licenseKey, String(l.productId), `${heldOf(l.licenseKey).length}/${l.maxMachines}`, l.customerId ?? '-', l.revoked ? 'revoked' : 'active'])));
    for (const l of licenses) {
      const held = heldOf(l.licenseKey);
      if (held.length === 0) continue;
      lines.push('', `Machines holding ${terminalSafe(l.licenseKey)}`);
      lines.push(table(['activation', 'device key id', 'fingerprint', 'since'], held.map((a) => [a.id, a.deviceKeyId, a.fingerprint === null ? '-' : `${a.fingerprint.slice(0, FINGERPRINT_PREFIX)}${a.fingerprint.length > FINGERPRINT_PREFIX ? '…' : ''}`, iso(a.activatedMs)])));
    }
  }
  if (customers.length > 0) {
    lines.push('', 'Customers (secrets are not shown)');
    lines.push(table(['id', 'name', 'licenses', 'since'], customers.map((c) => [c.id, c.name, String(licensesOf(c.id)), iso(c.createdMs)])));
  }
  io.stdout(lines.join('\n'));
  return EXIT.OK;
}

async function revoke(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, {
    ledger: { type: 'string', value: 'DIR' },
    'license-key': { type: 'string', value: 'LK' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  }, { command: 'ledger revoke' });
  if (values.help) {
    io.stdout(REVOKE_HELP);
    return EXIT.OK;
  }
  const licenseKey = required(values['license-key'], 'license-key', 'revoke', 'LK');
  const ledger = await open(values.ledger, 'revoke', false);
  const license = await ledger.revokeLicense(licenseKey);
  if (values.json) io.stdout(JSON.stringify(licenseJson(license)));
  else io.stdout(terminalSafe(`revoked ${license.licenseKey}: no new activation is answered for it`));
  return EXIT.OK;
}

async function release(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    ledger: { type: 'string', value: 'DIR' },
    now: { type: 'string', value: 'ISO-8601' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  }, { command: 'ledger release', positionals: true });
  if (values.help) {
    io.stdout(RELEASE_HELP);
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw new CliExit(EXIT.USAGE, `ledger release needs exactly one RECEIPT file, got ${positionals.length} (see licensekit ledger release --help)`);
  const now = dateFlag('now', values.now) ?? new Date();
  const { MAX_EXCHANGE_BYTES } = await import('../../activation/armor.ts');
  const receipt = await readLimited(positionals[0]!, MAX_EXCHANGE_BYTES);
  const ledger = await open(values.ledger, 'release', false);
  const { releaseReceipt } = await import('../../activation/receipt.ts');
  const released = await releaseReceipt(ledger, receipt, { now });
  if (values.json) io.stdout(JSON.stringify({ licenseKey: released.licenseKey, deviceKeyId: released.deviceKeyId, receiptId: released.receiptId, releasedAt: released.releasedAt.toISOString() }));
  else io.stdout(terminalSafe(`released the seat of ${released.licenseKey} held by device ${released.deviceKeyId} (receipt ${released.receiptId})`));
  return EXIT.OK;
}

async function releaseSeat(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, {
    ledger: { type: 'string', value: 'DIR' },
    'license-key': { type: 'string', value: 'LK' },
    device: { type: 'string', value: 'DEVICE_KEY_ID' },
    now: { type: 'string', value: 'ISO-8601' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  }, { command: 'ledger release-seat' });
  if (values.help) {
    io.stdout(RELEASE_SEAT_HELP);
    return EXIT.OK;
  }
  const sub = 'release-seat';
  const licenseKey = required(values['license-key'], 'license-key', sub, 'LK');
  const device = required(values.device, 'device', sub, 'DEVICE_KEY_ID');
  const now = dateFlag('now', values.now) ?? new Date();
  const ledger = await open(values.ledger, sub, false);
  const freed = await ledger.releaseSeat(licenseKey, device, now.getTime());
  if (freed === null) {
    const { LedgerError } = await import('../../lib/errors.ts');
    throw new LedgerError('ERR_LEDGER_NOT_FOUND', `device ${device} holds no seat of ${licenseKey} (licensekit ledger list shows the machines holding each license)`);
  }
  if (values.json) io.stdout(JSON.stringify({ licenseKey: freed.licenseKey, deviceKeyId: freed.deviceKeyId, activationId: freed.id, releasedAt: iso(freed.releasedMs!), releasedBy: 'vendor' }));
  else io.stdout(terminalSafe(`released the seat of ${freed.licenseKey} held by device ${freed.deviceKeyId} since ${iso(freed.activatedMs)}, without a receipt (vendor override)`));
  return EXIT.OK;
}
