/**
 * Laws of the exchange (fast-check): a request reads back as made, and a
 * response to it activates exactly its license; changing any byte of a
 * request, a response or a receipt is never accepted; arbitrary input gives
 * only typed errors.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { createActivationRequest, deactivateLicense, readActivationRequest, releaseReceipt, respondToActivationRequest } from '../../src/activation/index.node.ts';
import { MemoryLedger } from '../../src/ledger/index.node.ts';
import { isLicenseKitError } from '../../src/lib/errors.ts';
import { VENDOR, at, code, machine, stateOn } from './support.ts';

const A = machine('linux-server');
const KEY = 'AAAAA-BBBBB-CCCCC-DDDDD';

/** `bytes` with one byte changed (`delta` 1..255 added mod 256 at `index` mod length). */
function tamper(bytes: Uint8Array, index: number, delta: number): Uint8Array {
  const out = bytes.slice();
  const i = index % out.length;
  out[i] = (out[i]! + delta) & 0xff;
  return out;
}

/** A typed error's code, or what went wrong otherwise (so the law can say "only typed errors"). */
function outcome(f: () => unknown): string {
  try {
    f();
    return 'accepted';
  } catch (error) {
    return isLicenseKitError(error) ? error.code : `untyped: ${String(error)}`;
  }
}

// One exchange shared by the tampering laws: a state with a pending request, its response, a receipt of another state's seat.
const fixture = (async () => {
  const ledger = new MemoryLedger();
  await ledger.addLicense({ licenseKey: KEY, productId: 1001, maxMachines: 5, customerId: null }, at(0).getTime());
  const state = await stateOn(A);
  const request = await createActivationRequest({ state, licenseKey: KEY, productId: 1001, fingerprint: A.fingerprint, now: at(1) });
  const response = await respondToActivationRequest(request.text, { privateJwk: VENDOR.privateJwk, ledger, now: at(1), days: 30 });
  const holder = await stateOn(A);
  const held = await createActivationRequest({ state: holder, licenseKey: KEY, now: at(1) });
  await holder.activate((await respondToActivationRequest(held.text, { privateJwk: VENDOR.privateJwk, ledger, now: at(1) })).text, { now: at(2) });
  const receipt = await deactivateLicense({ state: holder, licenseKey: KEY, now: at(3) });
  return { ledger, state, request, response, receipt };
})();

describe('round trips', () => {
  test.prop(
    [
      fc.string({ minLength: 1, maxLength: 64, unit: 'grapheme' }),
      fc.option(fc.oneof(fc.nat({ max: 1_000_000 }), fc.string({ minLength: 1, maxLength: 20 })), { nil: undefined }),
      fc.boolean(),
      fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
    ],
    { numRuns: 40 },
  )('a request reads back as made, and its response activates that license, bound to that nonce and device', async (licenseKey, productId, withFingerprint, when) => {
    const now = new Date(Math.floor(when.getTime() / 1000) * 1000);
    const state = await stateOn(A);
    const made = await createActivationRequest({ state, licenseKey, now, ...(productId === undefined ? {} : { productId }), ...(withFingerprint ? { fingerprint: A.fingerprint } : {}) });
    const read = readActivationRequest(made.text);
    expect(read).toEqual({
      licenseKey,
      productId: productId === undefined ? null : String(productId),
      machineCode: A.machineCode,
      fingerprint: withFingerprint ? A.fingerprint : null,
      nonce: made.nonce,
      requestedAt: now,
      devicePublicKey: (await state.deviceKey()).publicJwk.x,
      deviceKeyId: made.deviceKeyId,
    });
    expect(readActivationRequest(made.bytes)).toEqual(read);
    const ledger = new MemoryLedger();
    await ledger.addLicense({ licenseKey, productId: productId ?? 7, maxMachines: 1, customerId: null }, now.getTime());
    const response = await respondToActivationRequest(made.text, { privateJwk: VENDOR.privateJwk, ledger, now });
    const activated = await state.activate(response.bytes, { now: new Date(now.getTime() + 1000) });
    expect(activated.verdict.reasons).toEqual([]);
    expect(activated.licenseKey).toBe(licenseKey);
    expect(activated.verdict.license?.activatedMachines?.map((m) => m.machineCode)).toEqual([A.machineCode]);
  });
});

describe('tampering any byte is never accepted', () => {
  test.prop([fc.nat(), fc.integer({ min: 1, max: 255 })], { numRuns: 200 })('a request: ERR_ACTIVATION_REQUEST_INVALID', async (index, delta) => {
    const { request } = await fixture;
    expect(outcome(() => readActivationRequest(tamper(request.bytes, index, delta)))).toBe('ERR_ACTIVATION_REQUEST_INVALID');
  });

  test.prop([fc.nat(), fc.integer({ min: 1, max: 255 })], { numRuns: 150 })('a response: never activated (a verdict that is not valid, or a typed error); the genuine one still activates', async (index, delta) => {
    const { state, response } = await fixture;
    let result: string;
    try {
      const { verdict } = await state.activate(tamper(response.bytes, index, delta), { now: at(2) });
      result = verdict.valid ? 'accepted' : 'refused';
    } catch (error) {
      result = isLicenseKitError(error) ? 'refused' : `untyped: ${String(error)}`;
    }
    expect(result).toBe('refused');
    expect((await state.status()).licenses).toEqual([]);
  });

  test.prop([fc.nat(), fc.integer({ min: 1, max: 255 })], { numRuns: 150 })('a receipt: ERR_RECEIPT_INVALID, the seat stays held', async (index, delta) => {
    const { ledger, receipt } = await fixture;
    expect(await code(releaseReceipt(ledger, tamper(receipt.bytes, index, delta), { now: at(4) }))).toBe('ERR_RECEIPT_INVALID');
  });

  test('after all that, the genuine response activates and the genuine receipt releases, once', async () => {
    const { ledger, state, response, receipt } = await fixture;
    expect((await state.activate(response.bytes, { now: at(2) })).verdict.reasons).toEqual([]);
    expect(await code(releaseReceipt(ledger, receipt.bytes, { now: at(4) }))).toBe('ok');
    expect(await code(releaseReceipt(ledger, receipt.bytes, { now: at(4) }))).toBe('ERR_RECEIPT_USED');
  });
});

describe('arbitrary input gives only typed errors', () => {
  test.prop([fc.oneof(fc.uint8Array({ maxLength: 600 }), fc.string({ maxLength: 600 }), fc.string().map((s) => `-----BEGIN LICENSEKIT ACTIVATION REQUEST-----\n${s}\n-----END LICENSEKIT ACTIVATION REQUEST-----`))], { numRuns: 200 })(
    'readActivationRequest and releaseReceipt',
    async (input) => {
      expect(outcome(() => readActivationRequest(input))).toBe('ERR_ACTIVATION_REQUEST_INVALID');
      const { ledger } = await fixture;
      expect(await code(releaseReceipt(ledger, input))).toBe('ERR_RECEIPT_INVALID');
    },
  );
});
