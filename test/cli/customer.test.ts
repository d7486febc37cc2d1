/**
 * Customer secrets and bundles through the real bin: customer add (twice with
 * the same --secret: the exact message, exit 2), ledger licenses, customer
 * bundle, open-bundle (list, --product-id to a file, a wrong secret, a
 * changed byte, --state), the --json contracts.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, test } from 'vitest';
import { FIXTURES_DIR } from '../../scripts/make-fixtures.ts';

const BIN = join(FIXTURES_DIR, '..', 'bin', 'licensekit.js');
const tmp = mkdtempSync(join(tmpdir(), 'licensekit-customer-cli-'));
const run = (...args: string[]) =>
  promisify(execFile)(process.execPath, [BIN, ...args]).then(
    (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
  );
const vendor = join(tmp, 'vendor');
const PRIV = join(vendor, 'private.jwk.json');
const PUB = join(vendor, 'public.pem');
const LEDGER = join(tmp, 'ledger');
const BUNDLE = join(tmp, 'acme.bundle');
const SECRET = 'WPIGP-UPHHT-INUYJ-MSDTJ';
let acme: { id: string; secret: string };

beforeAll(async () => {
  expect((await run('keygen', '--alg', 'ed25519', '--out', vendor)).code).toBe(0);
}, 60_000);

describe('licensekit customer', () => {
  test('add prints the id and a generated secret; --json; a supplied --secret twice is refused with exactly the message, exit 2', async () => {
    const added = await run('customer', 'add', '--ledger', LEDGER, '--name', 'Acme Ltd', '--json');
    expect(added.code, added.err).toBe(0);
    acme = JSON.parse(added.out);
    expect(Object.keys(acme)).toEqual(['id', 'name', 'secret', 'secretFormat']);
    expect(acme).toMatchObject({ name: 'Acme Ltd', secretFormat: 'guid' });
    expect(acme.secret).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    const keyForm = await run('customer', 'add', '--ledger', LEDGER, '--name', 'Key form', '--secret-format', 'key');
    expect(keyForm.code, keyForm.err).toBe(0);
    expect(keyForm.out).toMatch(/^added customer \S+ \(Key form\)\nsecret: [A-Z]{5}-[A-Z]{5}-[A-Z]{5}-[A-Z]{5}\n$/);

    const first = await run('customer', 'add', '--ledger', LEDGER, '--name', 'Beta', '--secret', SECRET);
    expect(first.code, first.err).toBe(0);
    expect(first.out).toContain(`secret: ${SECRET}`);
    for (const again of [SECRET, SECRET.toLowerCase()]) {
      const second = await run('customer', 'add', '--ledger', LEDGER, '--name', 'Gamma', '--secret', again);
      expect(second.code).toBe(2);
      expect(second.out).toBe('');
      expect(second.err.trim()).toBe('licensekit customer: [ERR_CUSTOMER_SECRET_TAKEN] A customer with the same secret exists.');
    }
    const garbage = await run('customer', 'add', '--ledger', LEDGER, '--name', 'Delta', '--secret', 'hunter2');
    expect(garbage.code).toBe(2);
    expect(garbage.err).toContain('not a customer secret');
    expect(garbage.err).not.toContain('hunter2');
    const listed = await run('ledger', 'list', '--ledger', LEDGER, '--json');
    expect(listed.code, listed.err).toBe(0);
    // Nothing stored for the refused ones; the list never shows a secret.
    expect(JSON.parse(listed.out).customers.map((c: { name: string }) => c.name)).toEqual(['Acme Ltd', 'Key form', 'Beta']);
    expect(listed.out).not.toContain(SECRET);
  });

  test('bundle seals the customer ledger licenses; open-bundle lists them, writes one with --product-id, and refuses a wrong secret or a changed byte', async () => {
    for (const [key, product] of [['AAAAA-AAAAA-AAAAA-AAAAA', '1001'], ['BBBBB-BBBBB-BBBBB-BBBBB', '1002']] as const) {
      const r = await run('ledger', 'add-license', '--ledger', LEDGER, '--license-key', key, '--product-id', product, '--max-machines', '2', '--customer', acme.id);
      expect(r.code, r.err).toBe(0);
    }
    const sealed = await run('customer', 'bundle', '--ledger', LEDGER, '--customer', acme.id, '--private-key', PRIV, '--out', BUNDLE, '--days', '365', '--json');
    expect(sealed.code, sealed.err).toBe(0);
    expect(JSON.parse(sealed.out)).toMatchObject({ out: BUNDLE, customer: acme.id, licenseKeys: ['AAAAA-AAAAA-AAAAA-AAAAA', 'BBBBB-BBBBB-BBBBB-BBBBB'] });
    const text = readFileSync(BUNDLE, 'utf8');
    expect(text.startsWith('-----BEGIN LICENSEKIT CUSTOMER BUNDLE-----\n')).toBe(true);
    expect(text).not.toContain(acme.secret);

    const list = await run('open-bundle', BUNDLE, '--secret', acme.secret.toUpperCase(), '--key', PUB);
    expect(list.code, list.err).toBe(0);
    expect(list.out).toContain(`OPENED, customer ${acme.id} (Acme Ltd), 2 licenses`);
    expect(list.out).toMatch(/1001\s+AAAAA-AAAAA-AAAAA-AAAAA/);
    expect(list.out).toMatch(/1002\s+BBBBB-BBBBB-BBBBB-BBBBB/);

    const out = join(tmp, 'p1002.lic');
    const picked = await run('open-bundle', BUNDLE, '--secret', acme.secret, '--key', PUB, '--product-id', '1002', '--out', out);
    expect(picked.code, picked.err).toBe(0);
    expect(picked.out).toContain(`license BBBBB-BBBBB-BBBBB-BBBBB for product 1002: wrote ${out}`);
    const verified = await run('verify', out, '--key', PUB, '--product-id', '1002', '--json');
    expect(verified.code, verified.err).toBe(0);
    expect(JSON.parse(verified.out)).toMatchObject({ valid: true });

    const printed = await run('open-bundle', BUNDLE, '--secret', acme.secret, '--key', PUB, '--product-id', '1001');
    expect(printed.code).toBe(0);
    expect(printed.out.startsWith('-----BEGIN LICENSEKIT LICENSE-----')).toBe(true);

    const missing = await run('open-bundle', BUNDLE, '--secret', acme.secret, '--key', PUB, '--product-id', '7', '--json');
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.out)).toMatchObject({ valid: false, opened: true, reasons: ['PRODUCT_MISMATCH'], license: null });

    const wrong = await run('open-bundle', BUNDLE, '--secret', SECRET, '--key', PUB, '--json');
    expect(wrong.code).toBe(1);
    const json = JSON.parse(wrong.out);
    expect(Object.keys(json)).toEqual(['file', 'valid', 'opened', 'reasons', 'customer', 'licenses', 'license', 'out', 'activated']);
    expect(json).toMatchObject({ valid: false, opened: false, reasons: ['CUSTOMER_SECRET_MISMATCH'], customer: null, licenses: [], license: null });

    const bytes = Buffer.from(text.split('\n').slice(1, -2).join(''), 'base64');
    bytes[bytes.length - 10]! ^= 0x20; // inside the signature
    const tampered = join(tmp, 'tampered.bundle');
    writeFileSync(tampered, bytes);
    const refused = await run('open-bundle', tampered, '--secret', acme.secret, '--key', PUB);
    expect(refused.code).toBe(1);
    expect(refused.out.trim()).toBe(`${tampered}: NOT OPENED (SIGNATURE_INVALID)`);

    const otherVendor = join(tmp, 'other');
    expect((await run('keygen', '--alg', 'ed25519', '--out', otherVendor)).code).toBe(0);
    const foreign = await run('open-bundle', BUNDLE, '--secret', acme.secret, '--key', join(otherVendor, 'public.pem'), '--json');
    expect(foreign.code).toBe(1);
    expect(JSON.parse(foreign.out).reasons).toEqual(['SIGNATURE_INVALID']);
  }, 60_000);

  test('open-bundle --state activates the product license in the local state; validate then finds it', async () => {
    const state = join(tmp, 'state');
    const r = await run('open-bundle', BUNDLE, '--secret', acme.secret, '--key', PUB, '--product-id', '1001', '--state', state, '--json');
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ valid: true, activated: { valid: true, licenseKey: 'AAAAA-AAAAA-AAAAA-AAAAA', reasons: [] }, license: { productId: '1001', licenseKey: 'AAAAA-AAAAA-AAAAA-AAAAA' } });
    const v = await run('validate', 'AAAAA-AAAAA-AAAAA-AAAAA', '--key', PUB, '--state', state, '--json');
    expect(v.code, v.err).toBe(0);
    expect(JSON.parse(v.out)).toMatchObject({ outcome: 'valid', status: 201 });
  }, 60_000);

  test('usage errors: missing flags, --state without --product-id, an unknown customer (exit 2)', async () => {
    expect((await run('customer', 'add', '--ledger', LEDGER)).code).toBe(2);
    expect((await run('customer', 'frobnicate')).err).toContain('unknown subcommand "frobnicate"');
    expect((await run('open-bundle', BUNDLE, '--key', PUB)).err).toContain('needs --secret S');
    expect((await run('open-bundle', BUNDLE, '--secret', acme.secret, '--key', PUB, '--state', join(tmp, 's2'))).err).toContain('--state needs --product-id N');
    const unknown = await run('customer', 'bundle', '--ledger', LEDGER, '--customer', 'nobody', '--private-key', PRIV, '--out', join(tmp, 'x.bundle'));
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('ERR_LEDGER_NOT_FOUND');
    expect((await run('customer', '--help')).out).toContain('customer bundle --ledger DIR --customer ID --private-key FILE --out FILE');
    expect((await run('open-bundle', '--help')).code).toBe(0);
  }, 60_000);
});
