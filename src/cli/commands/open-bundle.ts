/**
 * `licensekit open-bundle FILE --secret S --key KEYFILE [--product-id N]
 * [--out FILE] [--state DIR]` (program side): verifies a customer bundle's
 * vendor signature, decrypts it with the customer's secret, and lists its
 * licenses, writes the one for a product, or activates it in the local state.
 */
import { writeFile } from 'node:fs/promises';
import { readLimited } from '../files.ts';
import { CliExit, EXIT, type CliIo } from '../io.ts';
import { parseCommandArgs } from '../args.ts';
import { readPublicKeyFlag } from '../key-files.ts';
import { renderTable } from '../table.ts';
import { terminalSafe } from '../terminal-text.ts';
import { CHECK_FLAGS, CHECK_FLAGS_HELP, STATE_FLAGS, STATE_FLAGS_HELP, checkOptionsOf, openStateFlags, usageOnOptionError } from '../state-flags.ts';
import { nodeBackend } from '../../backends/node.ts';
import { DEFAULT_MAX_BUNDLE_BYTES } from '../../customers/bundle-format.ts';
import { openCustomerBundle, type BundleLicense } from '../../customers/open.ts';

/** `--help` text of the open-bundle command. */
export const OPEN_BUNDLE_HELP = `licensekit open-bundle FILE --secret S --key KEYFILE [--product-id N] [options]

Opens a customer bundle (licensekit customer bundle): verifies the vendor's signature over the
file as received, then decrypts it with the customer secret, and lists the licenses it holds.
With --product-id, picks that product's license: writes it to --out (or prints it), or with
--state DIR activates it in the local state (as licensekit activate does). A file that is not the
vendor's (altered, or signed by another key) is SIGNATURE_INVALID; a secret that does not open it
is CUSTOMER_SECRET_MISMATCH; a bundle without that product is PRODUCT_MISMATCH.

  --secret S                the customer secret (a GUID or XXXXX-XXXXX-XXXXX-XXXXX; required)
  --key KEYFILE             vendor public key (<RSAKeyValue> XML, PEM, JWK or a JWK Set; required)
  --product-id N            the program's product (a number, or the product's text)
  --out FILE                write the selected license there (armoured) instead of standard output
  --state DIR               activate the selected license in this state folder (needs --product-id)
  --program NAME            the program the state belongs to (default "licensekit"; see activate)
  --hwid, --licensee-secret, --now    as for licensekit activate (with --state)
  --json                    one JSON object: { file, valid, opened, reasons, customer, licenses,
                            license, out, activated }

Exit status: 0 opened (and the product's license found, written or activated), 1 not opened
(SIGNATURE_INVALID, CUSTOMER_SECRET_MISMATCH), no license for the product, or not valid in the
state, 2 bad usage or unreadable input, 3 key problem.

State flags (with --state):
${STATE_FLAGS_HELP}
${CHECK_FLAGS_HELP}`;

function listed(l: BundleLicense): Record<string, string> {
  return { productId: l.productId, licenseKey: l.licenseKey };
}

/** Runs `licensekit open-bundle`. */
export async function openBundleCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    ...STATE_FLAGS,
    ...CHECK_FLAGS,
    secret: { type: 'string', value: 'S' },
    'product-id': { type: 'string', value: 'N' },
    out: { type: 'string', value: 'FILE' },
  }, { command: 'open-bundle', positionals: true });
  if (values.help) {
    io.stdout(OPEN_BUNDLE_HELP);
    return EXIT.OK;
  }
  if (positionals.length !== 1) throw new CliExit(EXIT.USAGE, `open-bundle needs exactly one FILE, got ${positionals.length} (see licensekit open-bundle --help)`);
  const file = positionals[0]!;
  if (values.secret === undefined || values.secret === '') throw new CliExit(EXIT.USAGE, 'open-bundle needs --secret S (the customer secret the vendor sent)');
  if (!values.key || values.key.length === 0) throw new CliExit(EXIT.USAGE, 'open-bundle needs --key KEYFILE (the vendor public key)');
  const productFlag = values['product-id'];
  if (productFlag === '') throw new CliExit(EXIT.USAGE, '--product-id must not be empty');
  const productId = productFlag === undefined ? undefined : /^(0|[1-9][0-9]{0,15})$/.test(productFlag) && Number.isSafeInteger(Number(productFlag)) ? Number(productFlag) : productFlag;
  if (productId === undefined && (values.state !== undefined || values.out !== undefined)) throw new CliExit(EXIT.USAGE, `--${values.state !== undefined ? 'state' : 'out'} needs --product-id N (which of the bundle's licenses)`);
  for (const flag of ['hwid', 'licensee-secret', 'program'] as const) {
    if (values[flag] !== undefined && values.state === undefined) throw new CliExit(EXIT.USAGE, `--${flag} is for activating in a state: give --state DIR too`);
  }
  const keys = await Promise.all(values.key.map((path) => readPublicKeyFlag('key', path)));
  const key = keys.length === 1 ? keys[0]! : keys;
  const bytes = await readLimited(file, DEFAULT_MAX_BUNDLE_BYTES);
  const opened = await usageOnOptionError(() => openCustomerBundle(bytes, { secret: values.secret!, key, backend: nodeBackend, ...(productId === undefined ? {} : { productId }) }));

  let activated: { valid: boolean; reasons: readonly string[]; licenseKey: string | null } | null = null;
  if (opened.license !== null && values.state !== undefined) {
    const { state, machineCode } = await openStateFlags(values, 'open-bundle');
    const result = await usageOnOptionError(() => state.activate(opened.license!.bytes, checkOptionsOf(values, machineCode)));
    activated = { valid: result.verdict.valid && result.licenseKey !== null, reasons: result.verdict.reasons, licenseKey: result.licenseKey };
  }
  if (opened.license !== null && values.out !== undefined) await writeFile(values.out, opened.license.text);
  const ok = opened.valid && (activated === null || activated.valid);

  if (values.json) {
    io.stdout(JSON.stringify({
      file,
      valid: ok,
      opened: opened.opened,
      reasons: [...opened.reasons, ...(activated?.reasons ?? [])],
      customer: opened.customer,
      licenses: opened.licenses.map((l) => ({ ...listed(l), text: l.text })),
      license: opened.license === null ? null : { ...listed(opened.license), text: opened.license.text },
      out: opened.license !== null && values.out !== undefined ? values.out : null,
      activated,
    }));
    return ok ? EXIT.OK : EXIT.INVALID;
  }
  if (!opened.opened) {
    io.stdout(`${terminalSafe(file)}: NOT OPENED (${opened.reasons.join(', ')})`);
    return EXIT.INVALID;
  }
  const customer = opened.customer!;
  const head = `${terminalSafe(file)}: OPENED, customer ${terminalSafe(customer.id)}${customer.name === null ? '' : ` (${terminalSafe(customer.name)})`}, ${opened.licenses.length} license${opened.licenses.length === 1 ? '' : 's'}`;
  if (productId === undefined) {
    io.stdout([head, renderTable(['product', 'license key'], opened.licenses.map((l) => [terminalSafe(l.productId), terminalSafe(l.licenseKey)]))].join('\n'));
    return EXIT.OK;
  }
  if (opened.license === null) {
    io.stdout(`${head}\n  no license for product ${terminalSafe(String(productId))} (PRODUCT_MISMATCH)`);
    return EXIT.INVALID;
  }
  const picked = `license ${terminalSafe(opened.license.licenseKey)} for product ${terminalSafe(opened.license.productId)}`;
  if (activated !== null) {
    io.stdout(`${head}\n  ${picked}: ${activated.valid ? `ACTIVATED in ${terminalSafe(values.state!)}` : `NOT VALID (${activated.reasons.join(', ') || 'no license key'}), nothing stored`}`);
  } else if (values.out !== undefined) {
    io.stdout(`${head}\n  ${picked}: wrote ${terminalSafe(values.out)}`);
  } else {
    io.stderr(`${head}; ${picked}:`);
    io.stdout(opened.license.text.trimEnd());
  }
  return ok ? EXIT.OK : EXIT.INVALID;
}
