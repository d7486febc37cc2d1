/**
 * `licensekit issue --private-key FILE --product-id N [...]`: issues a
 * Cryptolens-format (SignMethod=1) license signed with the vendor's key.
 */
import { writeFile } from 'node:fs/promises';
import { CliExit, EXIT, type CliIo } from '../io.ts';
import { dateFlag, featureNumberFlag, integerFlag, parseCommandArgs } from '../args.ts';
import { nodeBackend } from '../../backends/node.ts';
import { issueCryptolensLicense } from '../../issuer/index.ts';
import { readPrivateJwkFlag } from '../key-files.ts';
import { PRODUCT_FLAG, RENAMED_SALT_FLAG, productSalt, resolveMachineCodeFlag } from '../machine-code.ts';

/** `--help` text of the issue command. */
export const ISSUE_HELP = `licensekit issue --private-key FILE --product-id N [options]

Issues a Cryptolens SignMethod=1 license (.skm JSON) signed with the private JWK.

  --private-key FILE        private.jwk.json from licensekit keygen (required)
  --product-id N            product id (required)
  --expires ISO-8601 | --days N   expiry (default 30 days)
  --feature N               grant F<N> (repeatable)
  --machine-code CODE|auto  activate this machine: a code from licensekit fingerprint, or
                            "auto" = this machine's code under the product salt (said on
                            standard error), "cryptolens-node[-short]" = the official
                            Cryptolens Node client's code
  --product SALT            product salt for --machine-code auto (default: the --product-id
                            value, as licensekit fingerprint --product N); replaces
                            --fingerprint-salt
  --max-machines N          MaxNoOfMachines (default: number of machines, 0 = not node-locked)
  --license-key KEY         the key string (default: random XXXXX-XXXXX-XXXXX-XXXXX)
  --notes TEXT              notes
  --now ISO-8601            signing time (SignDate) instead of the clock
  --out FILE                write there instead of standard output`;

/** Runs `licensekit issue`. */
export async function issueCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, {
    'private-key': { type: 'string', value: 'FILE' },
    'product-id': { type: 'string', value: 'N' },
    expires: { type: 'string', value: 'ISO-8601' },
    days: { type: 'string', value: 'N' },
    feature: { type: 'string', multiple: true, value: 'N' },
    'machine-code': { type: 'string', value: 'CODE|auto' },
    ...PRODUCT_FLAG,
    'max-machines': { type: 'string', value: 'N' },
    'license-key': { type: 'string', value: 'KEY' },
    notes: { type: 'string', value: 'TEXT' },
    now: { type: 'string', value: 'ISO-8601' },
    out: { type: 'string', value: 'FILE' },
    help: { type: 'boolean', short: 'h' },
  }, { command: 'issue', renamed: RENAMED_SALT_FLAG });
  if (values.help) {
    io.stdout(ISSUE_HELP);
    return EXIT.OK;
  }
  if (!values['private-key']) throw new CliExit(EXIT.USAGE, 'issue needs --private-key FILE (private.jwk.json from licensekit keygen)');
  const productId = integerFlag('product-id', values['product-id']);
  if (productId === undefined) throw new CliExit(EXIT.USAGE, 'issue needs --product-id N');
  if (values.expires && values.days) throw new CliExit(EXIT.USAGE, 'give --expires or --days, not both');
  const now = dateFlag('now', values.now) ?? new Date();
  const days = integerFlag('days', values.days, 0);
  const expires = dateFlag('expires', values.expires) ?? new Date(now.getTime() + (days ?? 30) * 86_400_000);
  const features = (values.feature ?? []).map((f) => {
    return featureNumberFlag('feature', f)!;
  });
  productSalt(values.product, productId); // a bad salt is a usage error even without --machine-code auto
  const privateJwk = await readPrivateJwkFlag('private-key', values['private-key']);
  const machineCode = await resolveMachineCodeFlag(values['machine-code'], values.product, productId, io);
  let text: string;
  try {
    text = await issueCryptolensLicense(
      {
        productId,
        key: values['license-key'],
        created: now,
        expires,
        features,
        notes: values.notes ?? null,
        activatedMachines: machineCode ? [{ mid: machineCode, time: now }] : [],
        maxNoOfMachines: integerFlag('max-machines', values['max-machines'], 0),
      },
      { privateJwk, backend: nodeBackend, now },
    );
  } catch (error) {
    throw new CliExit(EXIT.KEY, `signing failed: ${(error as Error).message}`);
  }
  if (values.out) {
    await writeFile(values.out, text + '\n');
    io.stderr(`wrote ${values.out}`);
  } else io.stdout(text);
  return EXIT.OK;
}
