/**
 * `licensekit demo` (what `npm start` runs): makes a vendor key pair, issues a
 * Cryptolens-format license bound to THIS machine's fingerprint, verifies it,
 * tampers one byte, verifies again, and prints both verdicts in words.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliExit, EXIT, type CliIo } from '../io.ts';
import { parseCommandArgs } from '../args.ts';
import { nodeBackend } from '../../backends/node.ts';
import { fingerprint } from '../../fingerprint/index.ts';
import { generateVendorKeyPair, issueCryptolensLicense } from '../../issuer/index.ts';
import { verifyLicense, type Verdict } from '../../index.node.ts';
import { decodeBase64, encodeBase64, decodeUtf8 } from '../../lib/bytes.ts';
import { FingerprintError } from '../../lib/errors.ts';
import { REASONS } from '../../rules/reasons.ts';

const PRODUCT_ID = 1001;

/** Describes a verdict in a sentence. */
export function verdictInWords(verdict: Verdict): string {
  if (verdict.valid) {
    const passed = verdict.checks.filter((c) => c.ok === true).map((c) => c.detail);
    return `VALID: ${passed.join('; ')}`;
  }
  return `NOT VALID: ${verdict.reasons.map((r) => `${r} (${REASONS[r]})`).join('; ')}`;
}

/** Flips one byte of the signed payload (the first digit of Expires), keeping the signature. */
export function tamperExpires(licenseText: string): { text: string; before: string; after: string } {
  const response = JSON.parse(licenseText) as { licenseKey: string; signature: string };
  const bytes = decodeBase64(response.licenseKey) as Uint8Array;
  const json = decodeUtf8(bytes)!;
  const at = json.indexOf('"Expires":') + '"Expires":'.length;
  const before = json.slice(at, json.indexOf(',', at));
  bytes[at] = bytes[at] === 0x39 ? 0x38 : bytes[at]! + 1; // one digit up: an attacker extending the expiry
  const after = decodeUtf8(bytes)!.slice(at, at + before.length);
  return { text: JSON.stringify({ ...response, licenseKey: encodeBase64(bytes) }), before, after };
}

/** A program that checks its license with the vendor's public key embedded as a constant. */
export function embeddedKeyProgram(publicKeyXml: string): string {
  return `// How a program checks its license: the vendor's public key is part of the program, as a constant.
// Never read it from a file beside the license: whoever can replace that file can sign licenses of their own.
import { readFileSync } from 'node:fs';
import { verifyLicense } from 'licensekit';
import { machineCode } from 'licensekit/fingerprint';

const VENDOR_PUBLIC_KEY = ${JSON.stringify(publicKeyXml)};

const verdict = await verifyLicense(readFileSync(new URL('./license.skm', import.meta.url), 'utf8'), {
  key: VENDOR_PUBLIC_KEY,
  machineCode: await machineCode({ product: '${PRODUCT_ID}' }),
  productId: ${PRODUCT_ID},
});
console.log(verdict.valid ? 'VALID' : \`NOT VALID: \${verdict.reasons.join(', ')}\`);
`;
}

/** Runs the demo. Exit 0 when the intact license is valid and the tampered one is not. */
export async function demoCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, { help: { type: 'boolean', short: 'h' } }, { command: 'demo' });
  if (values.help) {
    io.stdout('licensekit demo\n\nIssues a license bound to this machine, verifies it, tampers one byte and verifies again.');
    return EXIT.OK;
  }
  const now = new Date();
  io.stdout('licensekit demo: an offline license, issued and checked on this machine\n');

  const pair = await generateVendorKeyPair({ modulusLength: 2048 });
  io.stdout('1. Vendor key pair: RSA 2048-bit, generated now. The program embeds the public key as a constant (see check-license.mjs below).');

  let print;
  try {
    print = await fingerprint({ product: String(PRODUCT_ID) });
  } catch (error) {
    if (error instanceof FingerprintError) throw new CliExit(EXIT.USAGE, `cannot bind a license to this machine: [${error.code}] ${error.message}`);
    throw error;
  }
  const usable = print.components.filter((c) => c.status === 'ok').length;
  io.stdout(`2. This machine: code ${print.machineCode.slice(0, 16)}… derived from ${print.machineCodeBasis.join(', ')}; ${usable} of ${print.components.length} identity components readable for tolerant matching (salted hashes only: no serial number leaves the machine).`);

  const license = await issueCryptolensLicense(
    { productId: PRODUCT_ID, created: now, expires: new Date(now.getTime() + 30 * 86_400_000), features: [1, 3], activatedMachines: [{ mid: print.machineCode, time: now, friendlyName: 'demo machine' }], maxNoOfMachines: 1 },
    { privateJwk: pair.privateJwk, backend: nodeBackend, now },
  );
  io.stdout(`3. Issued a Cryptolens-format license for product ${PRODUCT_ID}: features F1 and F3, expires in 30 days, node-locked to this machine.`);

  const options = { key: pair.publicKeyXml!, now, machineCode: print.machineCode, requireFeatures: [1 as const], productId: PRODUCT_ID };
  const intact = await verifyLicense(license, options);
  io.stdout(`4. Verified as received: ${verdictInWords(intact)}`);

  const tampered = tamperExpires(license);
  const forged = await verifyLicense(tampered.text, options);
  io.stdout(`5. Changed ONE byte (Expires ${tampered.before} -> ${tampered.after}) and verified again: ${verdictInWords(forged)}`);

  // Why the key is a constant in the program: a customer who can replace a key file can sign licenses of their own.
  const customer = await generateVendorKeyPair({ modulusLength: 2048 });
  const selfIssued = await issueCryptolensLicense(
    { productId: PRODUCT_ID, created: now, expires: new Date(now.getTime() + 3650 * 86_400_000), features: [1, 2, 3, 4, 5, 6, 7, 8], activatedMachines: [{ mid: print.machineCode, time: now }], maxNoOfMachines: 1 },
    { privateJwk: customer.privateJwk, backend: nodeBackend, now },
  );
  const selfIssuedVerdict = await verifyLicense(selfIssued, options);
  io.stdout(`6. A customer signed a 10-year license with every feature using a key of their own: against the key embedded in the program, ${verdictInWords(selfIssuedVerdict)}. (Had the program read its key from a file beside the license, replacing that file would have made this license valid.)`);

  const dir = await mkdtemp(join(tmpdir(), 'licensekit-demo-'));
  await writeFile(join(dir, 'license.skm'), license + '\n');
  await writeFile(join(dir, 'tampered.skm'), tampered.text + '\n');
  await writeFile(join(dir, 'self-issued.skm'), selfIssued + '\n');
  await writeFile(join(dir, 'public.xml'), pair.publicKeyXml! + '\n');
  await writeFile(join(dir, 'check-license.mjs'), embeddedKeyProgram(pair.publicKeyXml!));
  io.stdout(`\nThe files are in ${dir}; check-license.mjs is how a program checks its license, with the key embedded. Try:\n  npx licensekit verify ${join(dir, 'license.skm')} ${join(dir, 'tampered.skm')} ${join(dir, 'self-issued.skm')} --key ${join(dir, 'public.xml')} --machine-code auto --product-id ${PRODUCT_ID}`);

  const asExpected = intact.valid && !forged.valid && forged.reasons.includes('SIGNATURE_INVALID') && !selfIssuedVerdict.valid && selfIssuedVerdict.reasons.includes('SIGNATURE_INVALID');
  io.stdout(`\nVerdict: ${asExpected ? 'the intact license is valid on this machine; the tampered and the self-issued copies are refused.' : 'UNEXPECTED RESULT (see above).'}`);
  return asExpected ? EXIT.OK : EXIT.INVALID;
}
