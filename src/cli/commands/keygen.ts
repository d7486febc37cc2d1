/**
 * `licensekit keygen --out DIR [--bits N]`: makes a vendor key pair and writes
 * the private JWK (mode 0600) and the public key as XML, PEM and JWK.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CliExit, EXIT, type CliIo } from '../io.ts';
import { integerFlag, parseCommandArgs } from '../args.ts';
import { generateVendorKeyPair } from '../../issuer/index.ts';

/** `--help` text of the keygen command. */
export const KEYGEN_HELP = `licensekit keygen --out DIR [--bits 2048|3072|4096]

Writes DIR/private.jwk.json (keep it secret, mode 0600), DIR/public.xml
(Cryptolens <RSAKeyValue>), DIR/public.pem and DIR/public.jwk.json.`;

/** Runs `licensekit keygen`. */
export async function keygenCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, { out: { type: 'string' }, bits: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    io.stdout(KEYGEN_HELP);
    return EXIT.OK;
  }
  if (!values.out) throw new CliExit(EXIT.USAGE, 'keygen needs --out DIR');
  const bits = integerFlag('bits', values.bits) ?? 2048;
  if (![2048, 3072, 4096].includes(bits)) throw new CliExit(EXIT.USAGE, '--bits must be 2048, 3072 or 4096');
  const pair = await generateVendorKeyPair({ modulusLength: bits });
  await mkdir(values.out, { recursive: true });
  await writeFile(join(values.out, 'private.jwk.json'), JSON.stringify(pair.privateJwk, null, 2) + '\n', { mode: 0o600 });
  await writeFile(join(values.out, 'public.xml'), pair.publicKeyXml! + '\n');
  await writeFile(join(values.out, 'public.pem'), pair.publicKeyPem);
  await writeFile(join(values.out, 'public.jwk.json'), JSON.stringify(pair.publicJwk, null, 2) + '\n');
  io.stdout(`wrote ${bits}-bit RSA key pair to ${values.out} (private.jwk.json, public.xml, public.pem, public.jwk.json)`);
  return EXIT.OK;
}
