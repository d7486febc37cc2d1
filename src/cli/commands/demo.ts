/**
 * `licensekit demo` (what `npm start` runs): makes an Ed25519 vendor key pair,
 * issues a native license bound to THIS machine's fingerprint, verifies it,
 * tampers one byte, verifies again, shows a self-signed license refused, and
 * prints every verdict in words.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliExit, EXIT, type CliIo } from '../io.ts';
import { parseCommandArgs } from '../args.ts';
import { nodeBackend } from '../../backends/node.ts';
import { fingerprint } from '../../fingerprint/index.ts';
import { armor } from '../../formats/native/armor.ts';
import { parseCoseSign1 } from '../../formats/native/cose.ts';
import { generateVendorKeyPair, issueNativeLicense, keyId } from '../../issuer/index.ts';
import { importJwk } from '../../keys/jwk.ts';
import { verifyLicense, type Verdict } from '../../index.node.ts';
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

/**
 * Raises the expiry of a native license by rewriting the 4-byte `exp` claim in
 * its signed payload (same length), keeping the signature: what a customer
 * extending their license would try.
 */
export function tamperExpiry(license: Uint8Array): { bytes: Uint8Array; before: Date; after: Date } {
  const bytes = license.slice();
  const { payload } = parseCoseSign1(bytes);
  const start = payload.byteOffset - bytes.byteOffset;
  for (let i = start; i < start + payload.length - 5; i++) {
    if (bytes[i] === 0x04 && bytes[i + 1] === 0x1a) {
      // Key 4 (exp) followed by a 4-byte unsigned integer: add about ten years.
      const view = new DataView(bytes.buffer, bytes.byteOffset + i + 2, 4);
      const before = view.getUint32(0);
      view.setUint32(0, before + 10 * 365 * 86_400);
      return { bytes, before: new Date(before * 1000), after: new Date(view.getUint32(0) * 1000) };
    }
  }
  throw new Error('no 4-byte exp claim in this license');
}

/** A program that checks its license with the vendor's public key embedded as a constant. */
export function embeddedKeyProgram(publicKeyPem: string): string {
  return `// How a program checks its license: the vendor's public key is part of the program, as a constant.
// Never read it from a file beside the license: whoever can replace that file can sign licenses of their own.
import { readFileSync } from 'node:fs';
import { verifyLicense } from 'licensekit';
import { machineCode } from 'licensekit/fingerprint';

const VENDOR_PUBLIC_KEY = ${JSON.stringify(publicKeyPem)};

const verdict = await verifyLicense(readFileSync(new URL('./license.lic', import.meta.url), 'utf8'), {
  key: VENDOR_PUBLIC_KEY,
  machineCode: await machineCode({ product: '${PRODUCT_ID}' }),
  productId: ${PRODUCT_ID},
});
console.log(verdict.valid ? 'VALID' : \`NOT VALID: \${verdict.reasons.join(', ')}\`);
`;
}

/** Runs the demo. Exit 0 when the intact license is valid and the tampered and self-issued ones are not. */
export async function demoCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, { help: { type: 'boolean', short: 'h' } }, { command: 'demo' });
  if (values.help) {
    io.stdout('licensekit demo\n\nIssues a native license bound to this machine, verifies it, tampers one byte and verifies again, and shows a self-signed license refused.');
    return EXIT.OK;
  }
  const now = new Date();
  io.stdout('licensekit demo: an offline license, issued and checked on this machine\n');

  const pair = await generateVendorKeyPair({ algorithm: 'EdDSA' });
  const vendorKey = pair.publicKeyPem;
  io.stdout(`1. Vendor key pair: Ed25519, generated now (key id ${keyId(importJwk(pair.publicJwk))}). The program embeds the public key as a constant (see check-license.mjs below).`);

  let print;
  try {
    print = await fingerprint({ product: String(PRODUCT_ID) });
  } catch (error) {
    if (error instanceof FingerprintError) throw new CliExit(EXIT.USAGE, `cannot bind a license to this machine: [${error.code}] ${error.message}`);
    throw error;
  }
  const usable = print.components.filter((c) => c.status === 'ok').length;
  io.stdout(`2. This machine: code ${print.machineCode.slice(0, 16)}… derived from ${print.machineCodeBasis.join(', ')}; ${usable} of ${print.components.length} identity components readable for tolerant matching (salted, stretched hashes only: no serial number leaves the machine).`);

  const expires = new Date(now.getTime() + 30 * 86_400_000);
  const license = await issueNativeLicense(
    { product: PRODUCT_ID, expires, features: [1, 3], entitlements: ['Export.PDF'], machines: [print.machineCode] },
    { privateJwk: pair.privateJwk, backend: nodeBackend, now },
  );
  io.stdout(`3. Issued a native license (COSE_Sign1 over a CWT, ${license.bytes.length} bytes) for product ${PRODUCT_ID}: features F1 and F3, entitlement Export.PDF, expires in 30 days, node-locked to this machine.`);

  const options = { key: vendorKey, now, machineCode: print.machineCode, requireFeatures: [1 as const, 'Export.PDF'], productId: PRODUCT_ID };
  const intact = await verifyLicense(license.text, options);
  io.stdout(`4. Verified as received: ${verdictInWords(intact)}`);

  const tampered = tamperExpiry(license.bytes);
  const tamperedText = armor(tampered.bytes);
  const forged = await verifyLicense(tamperedText, options);
  io.stdout(`5. Changed the expiry in the signed claims (${tampered.before.toISOString().slice(0, 10)} -> ${tampered.after.toISOString().slice(0, 10)}) and verified again: ${verdictInWords(forged)}`);

  // Why the key is a constant in the program: a customer who can replace a key file can sign licenses of their own.
  const customer = await generateVendorKeyPair({ algorithm: 'EdDSA' });
  const selfIssued = await issueNativeLicense(
    { product: PRODUCT_ID, expires: new Date(now.getTime() + 3650 * 86_400_000), features: [1, 2, 3, 4, 5, 6, 7, 8], entitlements: ['Export.PDF'], machines: [print.machineCode] },
    { privateJwk: customer.privateJwk, backend: nodeBackend, now, kid: null },
  );
  const selfIssuedVerdict = await verifyLicense(selfIssued.text, options);
  io.stdout(`6. A customer signed a 10-year license with every feature using a key of their own: against the key embedded in the program, ${verdictInWords(selfIssuedVerdict)}. (Had the program read its key from a file beside the license, replacing that file would have made this license valid.)`);

  const dir = await mkdtemp(join(tmpdir(), 'licensekit-demo-'));
  await writeFile(join(dir, 'license.lic'), license.text);
  await writeFile(join(dir, 'tampered.lic'), tamperedText);
  await writeFile(join(dir, 'self-issued.lic'), selfIssued.text);
  await writeFile(join(dir, 'public.pem'), vendorKey);
  await writeFile(join(dir, 'check-license.mjs'), embeddedKeyProgram(vendorKey));
  io.stdout(`\nThe files are in ${dir}; check-license.mjs is how a program checks its license, with the key embedded. Try:\n  npx licensekit inspect ${join(dir, 'license.lic')}\n  npx licensekit verify ${join(dir, 'license.lic')} ${join(dir, 'tampered.lic')} ${join(dir, 'self-issued.lic')} --key ${join(dir, 'public.pem')} --machine-code auto --product-id ${PRODUCT_ID}`);
  io.stdout('(licensekit reads Cryptolens SignMethod=1 files the same way: licensekit issue --format cryptolens.)');

  const asExpected = intact.valid && !forged.valid && forged.reasons.includes('SIGNATURE_INVALID') && !selfIssuedVerdict.valid && selfIssuedVerdict.reasons.includes('SIGNATURE_INVALID');
  io.stdout(`\nVerdict: ${asExpected ? 'the intact license is valid on this machine; the tampered and the self-issued copies are refused.' : 'UNEXPECTED RESULT (see above).'}`);
  return asExpected ? EXIT.OK : EXIT.INVALID;
}
