/**
 * Customer secrets over a ledger: a taken secret is refused with Cryptolens'
 * exact message (a generated one drawn again); a look-up by a secret two
 * records share is the same typed error; a customer's ledger licenses become
 * one bundle the program opens.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FIXTURES_DIR } from '../../scripts/make-fixtures.ts';
import { nodeBackend } from '../../src/backends/node.ts';
import { openCustomerBundle } from '../../src/customers/open.ts';
import { addCustomerWithSecret, bundleCustomerLicenses, customerLicensesBySecret, findCustomerBySecret, SECRET_TAKEN_MESSAGE } from '../../src/customers/vendor.ts';
import type { Ledger } from '../../src/ledger/ledger.ts';
import { MemoryLedger } from '../../src/ledger/memory.ts';
import { LedgerIndex } from '../../src/ledger/records.ts';
import { LedgerError } from '../../src/lib/errors.ts';
import { createVerifyApi } from '../../src/verify.ts';

const key = (name: string) => readFileSync(join(FIXTURES_DIR, 'keys', name), 'utf8');
const VENDOR_PRIVATE = JSON.parse(key('vendor-ed25519.private.jwk.json')) as Record<string, string>;
const VENDOR_PUBLIC = key('vendor-ed25519.public.pem');
const NOW = new Date('2026-06-01T00:00:00Z');
const T = NOW.getTime();

/** A random source that gives the same 16 bytes on each of its first `repeat` calls, then `after`. */
function repeating(repeat: number, first: number, after: number) {
  let calls = 0;
  return (out: Uint8Array) => out.fill(calls++ < repeat ? first : after);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(() => 'resolved', (error: unknown) => error);
}

describe('addCustomerWithSecret', () => {
  test('a generated secret (GUID by default, or key form) is unique and stored', async () => {
    const ledger = new MemoryLedger();
    const a = await addCustomerWithSecret(ledger, { name: 'Acme' }, T);
    const b = await addCustomerWithSecret(ledger, { name: 'Beta', secretFormat: 'key' }, T);
    expect(a.secret).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(b.secret).toMatch(/^[A-Z]{5}(-[A-Z]{5}){3}$/);
    expect(await findCustomerBySecret(ledger, a.secret.toUpperCase())).toEqual(a);
    expect(await findCustomerBySecret(ledger, b.secret)).toEqual(b);
    expect(await findCustomerBySecret(ledger, '00000000-0000-4000-8000-000000000000')).toBeNull();
  });

  test('a generated secret that collides is drawn again (twice here), never refused', async () => {
    const ledger = new MemoryLedger();
    const first = await addCustomerWithSecret(ledger, { name: 'A', random: repeating(1, 0x11, 0x11) }, T);
    const second = await addCustomerWithSecret(ledger, { name: 'B', random: repeating(2, 0x11, 0x22) }, T);
    expect(first.secret).toBe('11111111-1111-4111-9111-111111111111');
    expect(second.secret).toBe('22222222-2222-4222-a222-222222222222');
    expect((await ledger.listCustomers()).map((c) => c.name)).toEqual(['A', 'B']);
    // A source that only ever repeats gives up with the typed error rather than loop forever.
    expect(await rejection(addCustomerWithSecret(ledger, { name: 'C', random: repeating(Infinity, 0x11, 0x11) }, T))).toMatchObject({ code: 'ERR_CUSTOMER_SECRET_TAKEN' });
  });

  test('a supplied secret another customer has is refused with exactly "A customer with the same secret exists." (in any case or spacing)', async () => {
    const ledger = new MemoryLedger();
    await addCustomerWithSecret(ledger, { name: 'A', secret: '6dffda95-05cb-4754-bb49-c4a0be6ea647' }, T);
    await addCustomerWithSecret(ledger, { name: 'K', secret: 'wpigp-uphht-inuyj-msdtj' }, T);
    for (const secret of ['6dffda95-05cb-4754-bb49-c4a0be6ea647', ' 6DFFDA95-05CB-4754-BB49-C4A0BE6EA647 ', 'WPIGP-UPHHT-INUYJ-MSDTJ']) {
      const error = await rejection(addCustomerWithSecret(ledger, { name: 'B', secret }, T));
      expect(error).toBeInstanceOf(LedgerError);
      expect(error).toMatchObject({ code: 'ERR_CUSTOMER_SECRET_TAKEN', message: SECRET_TAKEN_MESSAGE });
    }
    expect(SECRET_TAKEN_MESSAGE).toBe('A customer with the same secret exists.');
    expect(await ledger.listCustomers()).toHaveLength(2);
    expect((await ledger.listCustomers())[1]!.secret).toBe('WPIGP-UPHHT-INUYJ-MSDTJ'); // stored canonical
  });

  test('garbage secrets, names and options are ERR_OPTION_INVALID', async () => {
    const ledger = new MemoryLedger();
    for (const options of [{ name: 'A', secret: 'hunter2' }, { name: '' }, { name: 'A', secret: 'WPIGP-UPHHT-INUYJ-MSDTJ', secretFormat: 'key' }, { name: 'A', secretFormat: 'uuid' }]) {
      expect(await rejection(addCustomerWithSecret(ledger, options as never, T))).toMatchObject({ code: 'ERR_OPTION_INVALID' });
    }
  });
});

describe('a secret two records share (a hand-merged journal, a vendor database)', () => {
  /** A ledger whose index holds two customers with one secret, as the file ledger replays a merged journal. */
  function sharedSecretLedger(): Ledger {
    const index = new LedgerIndex();
    const secret = '6dffda95-05cb-4754-bb49-c4a0be6ea647';
    index.apply({ t: 'customer', id: 'c1', name: 'One', secret, createdMs: T });
    index.apply({ t: 'customer', id: 'c2', name: 'Two', secret, createdMs: T });
    index.apply({ t: 'license', licenseKey: 'AAAAA-AAAAA-AAAAA-AAAAA', productId: 1, maxMachines: 1, customerId: 'c1', revoked: false, createdMs: T });
    const memory = new MemoryLedger();
    return Object.assign(Object.create(null) as Ledger, {
      ...Object.fromEntries((['addLicense', 'getLicense', 'revokeLicense', 'addCustomer', 'listActivations', 'takeSeat', 'release'] as const).map((m) => [m, (...args: never[]) => (memory[m] as (...a: never[]) => unknown)(...args)])),
      getCustomer: async (id: string) => index.getCustomer(id),
      findCustomerBySecret: async (s: string) => index.findCustomerBySecret(s),
      listCustomers: async () => index.listCustomers(),
      listLicenses: async (filter?: object) => index.listLicenses(filter),
    });
  }

  test('looking it up is the typed error with the same message, for the customer and for their licenses', async () => {
    const ledger = sharedSecretLedger();
    expect(await ledger.listCustomers()).toHaveLength(2);
    for (const lookup of [findCustomerBySecret(ledger, '6DFFDA95-05CB-4754-BB49-C4A0BE6EA647'), customerLicensesBySecret(ledger, '6dffda95-05cb-4754-bb49-c4a0be6ea647')]) {
      const error = await rejection(lookup);
      expect(error).toBeInstanceOf(LedgerError);
      expect(error).toMatchObject({ code: 'ERR_CUSTOMER_SECRET_TAKEN', message: 'A customer with the same secret exists.' });
    }
  });
});

describe('bundleCustomerLicenses', () => {
  test("issues a native license for each of the customer's licenses that is not revoked, seals them, and the program opens them", async () => {
    const ledger = new MemoryLedger();
    const acme = await addCustomerWithSecret(ledger, { name: 'Acme', secretFormat: 'key' }, T);
    const other = await addCustomerWithSecret(ledger, { name: 'Other' }, T);
    await ledger.addLicense({ licenseKey: 'AAAAA-AAAAA-AAAAA-AAAAA', productId: 1001, maxMachines: 2, customerId: acme.id }, T);
    await ledger.addLicense({ licenseKey: 'BBBBB-BBBBB-BBBBB-BBBBB', productId: 'acme-cad', maxMachines: 1, customerId: acme.id }, T);
    await ledger.addLicense({ licenseKey: 'CCCCC-CCCCC-CCCCC-CCCCC', productId: 1002, maxMachines: 1, customerId: acme.id }, T);
    await ledger.addLicense({ licenseKey: 'DDDDD-DDDDD-DDDDD-DDDDD', productId: 1001, maxMachines: 1, customerId: other.id }, T);
    await ledger.revokeLicense('CCCCC-CCCCC-CCCCC-CCCCC');
    const expires = new Date('2027-06-01T00:00:00Z');
    const sealed = await bundleCustomerLicenses(ledger, { customerId: acme.id, signingKey: VENDOR_PRIVATE, backend: nodeBackend, now: NOW, expires });
    expect(sealed.licenseKeys).toEqual(['AAAAA-AAAAA-AAAAA-AAAAA', 'BBBBB-BBBBB-BBBBB-BBBBB']);

    const opened = await openCustomerBundle(sealed.text, { secret: acme.secret, key: VENDOR_PUBLIC, productId: 1001 });
    expect(opened).toMatchObject({ valid: true, customer: { id: acme.id, name: 'Acme' } });
    expect(opened.licenses.map((l) => [l.productId, l.licenseKey])).toEqual([['1001', 'AAAAA-AAAAA-AAAAA-AAAAA'], ['acme-cad', 'BBBBB-BBBBB-BBBBB-BBBBB']]);
    const { verifyLicense } = createVerifyApi([nodeBackend]);
    const verdict = await verifyLicense(opened.license!.bytes, { key: VENDOR_PUBLIC, productId: 1001, now: NOW });
    expect(verdict.valid).toBe(true);
    expect(verdict.license).toMatchObject({ key: 'AAAAA-AAAAA-AAAAA-AAAAA', expires, customer: { id: acme.id, name: 'Acme' } });
    // The other customer's secret does not open it.
    expect((await openCustomerBundle(sealed.bytes, { secret: other.secret, key: VENDOR_PUBLIC })).reasons).toEqual(['CUSTOMER_SECRET_MISMATCH']);
  });

  test('an unknown customer, or one without a license, is ERR_LEDGER_NOT_FOUND', async () => {
    const ledger = new MemoryLedger();
    const lonely = await addCustomerWithSecret(ledger, { name: 'Lonely' }, T);
    const options = { signingKey: VENDOR_PRIVATE, backend: nodeBackend, now: NOW, expires: null };
    expect(await rejection(bundleCustomerLicenses(ledger, { ...options, customerId: 'nobody' }))).toMatchObject({ code: 'ERR_LEDGER_NOT_FOUND' });
    expect(await rejection(bundleCustomerLicenses(ledger, { ...options, customerId: lonely.id }))).toMatchObject({ code: 'ERR_LEDGER_NOT_FOUND' });
  });
});
