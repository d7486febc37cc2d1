/**
 * `licensekit issue --private-key FILE --product-id N [...]`: issues a license
 * signed with the vendor's key: native (COSE/CWT, the default) or
 * Cryptolens-format (SignMethod=1).
 */
import { writeFile } from 'node:fs/promises';
import { CliExit, EXIT, type CliIo } from '../io.ts';
import { dateFlag, featureNumberFlag, integerFlag, parseCommandArgs } from '../args.ts';
import { nodeBackend } from '../../backends/node.ts';
import { issueCryptolensLicense, issueNativeLicense } from '../../issuer/index.ts';
import { isLicenseKitError } from '../../lib/errors.ts';
import { readPrivateJwkFlag } from '../key-files.ts';
import { PRODUCT_FLAG, RENAMED_SALT_FLAG, productSalt, resolveMachineCodeFlag } from '../machine-code.ts';

/** `--help` text of the issue command. */
export const ISSUE_HELP = `licensekit issue --private-key FILE --product-id N [options]

Issues a license signed with the vendor's private key (private.jwk.json from licensekit keygen).

  --format native|cryptolens  native (default): a licensekit license, COSE_Sign1 over a CWT,
                            written armoured (-----BEGIN LICENSEKIT LICENSE-----), or raw with
                            --binary; signed EdDSA with an Ed25519 key, PS256 (or --alg rs256)
                            with an RSA key; its protected header names the key id.
                            cryptolens: a Cryptolens SignMethod=1 license (.skm JSON, RSA keys).
  --private-key FILE        private.jwk.json from licensekit keygen (required)
  --product-id N            product id (required)
  --expires ISO-8601 | --days N   expiry (default 30 days)
  --not-before ISO-8601     not valid before this time (native)
  --feature N               grant F<N> (repeatable)
  --entitlement NAME        grant a named entitlement (repeatable; native)
  --machine-code CODE|auto  activate this machine: a code from licensekit fingerprint, or
                            "auto" = this machine's code under the product salt (said on
                            standard error), "cryptolens-node[-short]" = the official
                            Cryptolens Node client's code
  --product SALT            product salt for --machine-code auto (default: the --product-id
                            value, as licensekit fingerprint --product N); replaces
                            --fingerprint-salt
  --max-machines N          machine limit (default: the number of machines, 0 = not node-locked)
  --license-key KEY         the key string (default: random XXXXX-XXXXX-XXXXX-XXXXX)
  --notes TEXT              notes
  --alg rs256|ps256         RSA signature for native licenses (default ps256)
  --now ISO-8601            signing time instead of the clock
  --out FILE                write there instead of standard output
  --binary                  write the raw COSE bytes (native; needs --out)
  --licensee-secret-mode disabled|predefined|client
                            the licensee-secret policy, signed into the license (native):
                            predefined = the secret given by --licensee-secret must be presented;
                            client = the first check's secret is bound, then must match
  --licensee-secret S       the vendor-set secret (predefined mode only; the license carries only
                            a salted hash of it)
  --bind-hwid               the first validation binds the HWID; a vendor-signed reset
                            (licensekit issue-reset) clears it (native)
  --grace-days N            days after expiry the license stays valid with EXPIRED_IN_GRACE (native)

Exit status: 0 issued, 2 bad usage or unreadable input, 3 a key problem.`;

/** Runs `licensekit issue`. */
export async function issueCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, {
    format: { type: 'string', value: 'native|cryptolens' },
    'private-key': { type: 'string', value: 'FILE' },
    'product-id': { type: 'string', value: 'N' },
    expires: { type: 'string', value: 'ISO-8601' },
    days: { type: 'string', value: 'N' },
    'not-before': { type: 'string', value: 'ISO-8601' },
    feature: { type: 'string', multiple: true, value: 'N' },
    entitlement: { type: 'string', multiple: true, value: 'NAME' },
    'machine-code': { type: 'string', value: 'CODE|auto' },
    ...PRODUCT_FLAG,
    'max-machines': { type: 'string', value: 'N' },
    'license-key': { type: 'string', value: 'KEY' },
    notes: { type: 'string', value: 'TEXT' },
    alg: { type: 'string', value: 'rs256|ps256' },
    now: { type: 'string', value: 'ISO-8601' },
    out: { type: 'string', value: 'FILE' },
    binary: { type: 'boolean' },
    'licensee-secret-mode': { type: 'string', value: 'disabled|predefined|client' },
    'licensee-secret': { type: 'string', value: 'S' },
    'bind-hwid': { type: 'boolean' },
    'grace-days': { type: 'string', value: 'N' },
    help: { type: 'boolean', short: 'h' },
  }, { command: 'issue', renamed: RENAMED_SALT_FLAG });
  if (values.help) {
    io.stdout(ISSUE_HELP);
    return EXIT.OK;
  }
  const format = values.format ?? 'native';
  if (format !== 'native' && format !== 'cryptolens') throw new CliExit(EXIT.USAGE, `--format must be native or cryptolens, got "${values.format}"`);
  if (!values['private-key']) throw new CliExit(EXIT.USAGE, 'issue needs --private-key FILE (private.jwk.json from licensekit keygen)');
  const productId = integerFlag('product-id', values['product-id']);
  if (productId === undefined) throw new CliExit(EXIT.USAGE, 'issue needs --product-id N');
  if (values.expires && values.days) throw new CliExit(EXIT.USAGE, 'give --expires or --days, not both');
  if (format === 'cryptolens') {
    for (const flag of ['entitlement', 'not-before', 'binary', 'alg', 'licensee-secret-mode', 'licensee-secret', 'bind-hwid', 'grace-days'] as const) {
      if (values[flag] !== undefined) throw new CliExit(EXIT.USAGE, `--${flag} is for native licenses; a Cryptolens license cannot carry it (leave out --format cryptolens)`);
    }
  }
  if (values.binary && !values.out) throw new CliExit(EXIT.USAGE, '--binary needs --out FILE (raw bytes are not written to a terminal)');
  const alg = values.alg?.toUpperCase();
  if (alg !== undefined && alg !== 'RS256' && alg !== 'PS256') throw new CliExit(EXIT.USAGE, `--alg must be rs256 or ps256, got "${values.alg}"`);
  const secretMode = values['licensee-secret-mode'];
  if (secretMode !== undefined && secretMode !== 'disabled' && secretMode !== 'predefined' && secretMode !== 'client') {
    throw new CliExit(EXIT.USAGE, `--licensee-secret-mode must be disabled, predefined or client, got "${secretMode}"`);
  }
  if ((secretMode === 'predefined') !== (values['licensee-secret'] !== undefined)) {
    throw new CliExit(EXIT.USAGE, secretMode === 'predefined' ? '--licensee-secret-mode predefined needs --licensee-secret S (the vendor-set secret)' : '--licensee-secret S is for --licensee-secret-mode predefined only');
  }
  const graceDays = integerFlag('grace-days', values['grace-days'], 0);
  const now = dateFlag('now', values.now) ?? new Date();
  const days = integerFlag('days', values.days, 0);
  const expires = dateFlag('expires', values.expires) ?? new Date(now.getTime() + (days ?? 30) * 86_400_000);
  const notBefore = dateFlag('not-before', values['not-before']);
  const features = (values.feature ?? []).map((f) => featureNumberFlag('feature', f)!);
  const maxMachines = integerFlag('max-machines', values['max-machines'], 0);
  productSalt(values.product, productId); // a bad salt is a usage error even without --machine-code auto
  const privateJwk = await readPrivateJwkFlag('private-key', values['private-key']);
  const machineCode = await resolveMachineCodeFlag(values['machine-code'], values.product, productId, io);
  let output: string | Uint8Array;
  try {
    if (format === 'native') {
      const issued = await issueNativeLicense(
        {
          product: productId,
          ...(values['license-key'] === undefined ? {} : { key: values['license-key'] }),
          issued: now,
          expires,
          ...(notBefore === undefined ? {} : { notBefore }),
          features,
          ...(values.entitlement ? { entitlements: values.entitlement } : {}),
          ...(machineCode ? { machines: [machineCode] } : {}),
          ...(maxMachines === undefined ? {} : { maxMachines }),
          ...(values.notes === undefined ? {} : { notes: values.notes }),
          ...(secretMode === undefined ? {} : { licenseeSecret: secretMode === 'predefined' ? { mode: secretMode, secret: values['licensee-secret']! } : { mode: secretMode } }),
          ...(values['bind-hwid'] ? { bindHwid: true } : {}),
          ...(graceDays === undefined ? {} : { graceDays }),
        },
        { privateJwk, backend: nodeBackend, now, ...(alg === undefined ? {} : { algorithm: alg }) },
      );
      io.stderr(`issued a native license (key id ${issued.kid ?? 'none'}, ${issued.bytes.length} bytes)`);
      output = values.binary ? issued.bytes : issued.text.trimEnd();
    } else {
      output = await issueCryptolensLicense(
        {
          productId,
          key: values['license-key'],
          created: now,
          expires,
          features,
          notes: values.notes ?? null,
          activatedMachines: machineCode ? [{ mid: machineCode, time: now }] : [],
          ...(maxMachines === undefined ? {} : { maxNoOfMachines: maxMachines }),
        },
        { privateJwk, backend: nodeBackend, now },
      );
    }
  } catch (error) {
    if (isLicenseKitError(error) && error.code === 'ERR_OPTION_INVALID') throw new CliExit(EXIT.USAGE, error.message);
    throw new CliExit(EXIT.KEY, `signing failed: ${(error as Error).message}`);
  }
  if (values.out) {
    await writeFile(values.out, typeof output === 'string' ? output + '\n' : output);
    io.stderr(`wrote ${values.out}`);
  } else io.stdout(output as string);
  return EXIT.OK;
}
