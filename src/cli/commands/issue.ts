/**
 * `licensekit issue --private-key FILE --product-id N [...]`: issues a
 * Cryptolens-format (SignMethod=1) license signed with the vendor's key.
 */
import { writeFile } from 'node:fs/promises';
import { readLimited, FileReadError } from '../files.ts';
import { CliExit, EXIT, type CliIo } from '../io.ts';
import { dateFlag, featureNumberFlag, integerFlag, parseCommandArgs } from '../args.ts';
import { nodeBackend } from '../../backends/node.ts';
import { issueCryptolensLicense } from '../../issuer/index.ts';
import { decodeUtf8 } from '../../lib/bytes.ts';
import { MAX_KEY_INPUT_BYTES } from '../../keys/import.ts';
import { resolveMachineCodeFlag } from '../machine-code.ts';

/** `--help` text of the issue command. */
export const ISSUE_HELP = `licensekit issue --private-key FILE --product-id N [options]

Issues a Cryptolens SignMethod=1 license (.skm JSON) signed with the private JWK.

  --private-key FILE        private.jwk.json from licensekit keygen (required)
  --product-id N            product id (required)
  --expires ISO-8601 | --days N   expiry (default 30 days)
  --feature N               grant F<N> (repeatable)
  --machine-code CODE|auto  activate this machine ("auto" = this machine's fingerprint)
  --fingerprint-salt SALT   salt for --machine-code auto (default: the product id)
  --max-machines N          MaxNoOfMachines (default: number of machines, 0 = not node-locked)
  --license-key KEY         the key string (default: random XXXXX-XXXXX-XXXXX-XXXXX)
  --notes TEXT              notes
  --now ISO-8601            signing time (SignDate) instead of the clock
  --out FILE                write there instead of standard output`;

/** Runs `licensekit issue`. */
export async function issueCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, {
    'private-key': { type: 'string' },
    'product-id': { type: 'string' },
    expires: { type: 'string' },
    days: { type: 'string' },
    feature: { type: 'string', multiple: true },
    'machine-code': { type: 'string' },
    'fingerprint-salt': { type: 'string' },
    'max-machines': { type: 'string' },
    'license-key': { type: 'string' },
    notes: { type: 'string' },
    now: { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(ISSUE_HELP);
    return EXIT.OK;
  }
  if (!values['private-key']) throw new CliExit(EXIT.USAGE, 'issue needs --private-key FILE');
  const productId = integerFlag('product-id', values['product-id']);
  if (productId === undefined) throw new CliExit(EXIT.USAGE, 'issue needs --product-id N');
  if (values.expires && values.days) throw new CliExit(EXIT.USAGE, 'give --expires or --days, not both');
  const now = dateFlag('now', values.now) ?? new Date();
  const days = integerFlag('days', values.days, 0);
  const expires = dateFlag('expires', values.expires) ?? new Date(now.getTime() + (days ?? 30) * 86_400_000);
  const features = (values.feature ?? []).map((f) => {
    return featureNumberFlag('feature', f)!;
  });
  let privateJwk: Record<string, string>;
  try {
    privateJwk = JSON.parse(decodeUtf8(await readLimited(values['private-key'], MAX_KEY_INPUT_BYTES)) ?? '');
    if (typeof privateJwk !== 'object' || privateJwk === null || typeof privateJwk.d !== 'string') throw new Error('not a private JWK (no "d")');
  } catch (error) {
    throw new CliExit(EXIT.KEY, `private key ${values['private-key']}: ${error instanceof FileReadError ? error.message : (error as Error).message}`);
  }
  const machineCode = await resolveMachineCodeFlag(values['machine-code'], values['fingerprint-salt'] ?? String(productId));
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
