/**
 * A customer who controls the offline machine, its state folder and every file
 * carried to the vendor tries to get more machines than the ledger's limit out
 * of the exchange. Each test is one attack, tried for real through the API.
 */
import { describe, expect, test } from 'vitest';
import { createActivationRequest, deactivateLicense, releaseReceipt, respondToActivationRequest } from '../../src/activation/index.node.ts';
import { generateDeviceKey, signAsDevice } from '../../src/activation/device.ts';
import { armorRequest, requestClaims } from '../../src/activation/request.ts';
import { MemoryLedger } from '../../src/ledger/index.node.ts';
import { emptyDocument, sealDocument, stateMacKey } from '../../src/state/document.ts';
import { MemoryStore, openState } from '../../src/state/index.node.ts';
import { PROGRAM, VENDOR, at, code, machine, stateOn } from './support.ts';

const KEY = 'AAAAA-BBBBB-CCCCC-DDDDD';
const A = machine('linux-server');
const B = machine('macos-laptop');

async function ledgerWith(maxMachines: number) {
  const ledger = new MemoryLedger();
  await ledger.addLicense({ licenseKey: KEY, productId: 1001, maxMachines, customerId: null }, at(0).getTime());
  return ledger;
}
const respond = (request: string, ledger: MemoryLedger, now = at(1)) => respondToActivationRequest(request, { privateJwk: VENDOR.privateJwk, ledger, now });
const held = async (ledger: MemoryLedger) => (await ledger.listActivations(KEY)).filter((a) => a.releasedMs === null).map((a) => a.deviceKeyId);

describe('a second machine on a one-machine license', () => {
  test('another machine\'s fingerprint copied into a request (it is in the request file the customer carries) does not move the seat to a new machine', async () => {
    const ledger = await ledgerWith(1);
    const stateA = await stateOn(A);
    const requestA = await createActivationRequest({ state: stateA, licenseKey: KEY, fingerprint: A.fingerprint, now: at(1) });
    expect((await stateA.activate((await respond(requestA.text, ledger, at(1))).text, { now: at(1) })).verdict.valid).toBe(true);
    // Machine B's own state and device key, but A's recorded fingerprint: B's program asks through the public API.
    const stateB = await stateOn(B);
    const forged = await createActivationRequest({ state: stateB, licenseKey: KEY, fingerprint: A.fingerprint, now: at(2) });
    let answer;
    const outcome = await code((async () => (answer = await respond(forged.text, ledger, at(2))))());
    if (answer !== undefined) {
      // Had the seat moved, B's license would activate on B while A keeps its own: two machines on one seat.
      const onB = await stateB.activate((answer as { text: string }).text, { now: at(3) });
      expect({ outcome, activatedOnB: onB.verdict.valid, aStillValid: (await stateA.validate(KEY, { now: at(3) })).valid }).toEqual({ outcome: 'ERR_ACTIVATION_LIMIT_REACHED', activatedOnB: false, aStillValid: true });
    }
    expect(outcome).toBe('ERR_ACTIVATION_LIMIT_REACHED');
    expect(await held(ledger)).toEqual([requestA.deviceKeyId]);
  });

  test('a device key taken out of one machine\'s state and used to sign another machine\'s request keeps no seat for it', async () => {
    const ledger = await ledgerWith(1);
    // The customer reads the device seed out of A's state (sealed with a MAC, not encrypted) and signs requests with it.
    const device = generateDeviceKey();
    const signedRequest = async (m: { machineCode: string }, nonce: Uint8Array, now: Date) =>
      armorRequest(await signAsDevice(device, requestClaims({ licenseKey: KEY, productId: null, machineCode: m.machineCode, fingerprint: null, nonce, devicePublicKey: device.publicKey }), now));
    const forA = await respond(await signedRequest(A, new Uint8Array(16).fill(1), at(1)), ledger, at(1));
    expect(forA.kept).toBe(false);
    // The same device key asks for machine B: keeping A's seat for it would sign a license for B's machine code.
    const nonceB = new Uint8Array(16).fill(2);
    let answer;
    const outcome = await code((async () => (answer = await respond(await signedRequest(B, nonceB, at(2)), ledger, at(2))))());
    if (answer !== undefined) {
      // And B activates it, in a state the customer sealed for B (the MAC key is derived from public values).
      const store = new MemoryStore();
      const stateB = await openState({ program: PROGRAM, key: VENDOR.publicPem, store, machineCode: B.machineCode, clockEvidence: false });
      const doc = { ...emptyDocument(PROGRAM, stateB.vendorKeyId), device, pendingRequests: [{ nonce: nonceB, licenseKey: KEY, atMs: at(2).getTime() }] };
      await store.update(async () => sealDocument(doc, stateMacKey(stateB.vendorKeyId, PROGRAM, B.machineCode)), { onUnreadable: 'start-over' });
      const onB = await stateB.activate((answer as { text: string }).text, { now: at(3) });
      expect({ outcome, activatedOnB: onB.verdict.valid }).toEqual({ outcome: 'ERR_ACTIVATION_REQUEST_INVALID', activatedOnB: false });
    }
    expect(outcome).toBe('ERR_ACTIVATION_REQUEST_INVALID');
    expect((await ledger.listActivations(KEY)).length).toBe(1);
  });

  test('a receipt made before the machine asked again and re-activated does not free the seat it now holds (plain API, no forging)', async () => {
    const ledger = await ledgerWith(1);
    const stateA = await stateOn(A);
    const first = await createActivationRequest({ state: stateA, licenseKey: KEY, fingerprint: A.fingerprint, now: at(1) });
    expect((await stateA.activate((await respond(first.text, ledger, at(1))).text, { now: at(1) })).verdict.valid).toBe(true);
    // Deactivate, but keep the receipt in a drawer; ask again: the same device key keeps its seat, and activates.
    const oldReceipt = await deactivateLicense({ state: stateA, licenseKey: KEY, now: at(2) });
    const again = await createActivationRequest({ state: stateA, licenseKey: KEY, fingerprint: A.fingerprint, now: at(3) });
    const answer = await respond(again.text, ledger, at(3));
    expect(answer.kept).toBe(true);
    expect((await stateA.activate(answer.text, { now: at(3) })).verdict.valid).toBe(true);
    // Now the old receipt: freeing the seat would leave A licensed with no seat, and B could take it.
    const outcome = await code(releaseReceipt(ledger, oldReceipt.text, { now: at(4) }));
    expect(outcome).toBe('ERR_RECEIPT_INVALID');
    expect(await held(ledger)).toEqual([again.deviceKeyId]);
    const stateB = await stateOn(B);
    expect(await code(respond((await createActivationRequest({ state: stateB, licenseKey: KEY, fingerprint: B.fingerprint, now: at(5) })).text, ledger, at(5)))).toBe('ERR_ACTIVATION_LIMIT_REACHED');
    // A receipt made after the re-activation frees it, once.
    const newReceipt = await deactivateLicense({ state: stateA, licenseKey: KEY, now: at(6) });
    expect(await code(releaseReceipt(ledger, newReceipt.text, { now: at(6) }))).toBe('ok');
    expect(await held(ledger)).toEqual([]);
  });

  test('the same, with a later request answered out of order: a receipt frees the seat only if no request made after it was answered', async () => {
    const ledger = await ledgerWith(1);
    const stateA = await stateOn(A);
    const first = await createActivationRequest({ state: stateA, licenseKey: KEY, now: at(1) });
    expect((await stateA.activate((await respond(first.text, ledger, at(1))).text, { now: at(1) })).verdict.valid).toBe(true);
    const pendingAtDeactivation = await createActivationRequest({ state: stateA, licenseKey: KEY, now: at(2) });
    const receipt = await deactivateLicense({ state: stateA, licenseKey: KEY, now: at(2) });
    const later = await createActivationRequest({ state: stateA, licenseKey: KEY, now: at(3) });
    const laterAnswer = await respond(later.text, ledger, at(3));
    expect((await stateA.activate(laterAnswer.text, { now: at(3) })).verdict.valid).toBe(true);
    // The request made before the receipt is answered last (the customer chooses the order files reach the vendor).
    await respond(pendingAtDeactivation.text, ledger, at(4));
    expect(await code(releaseReceipt(ledger, receipt.text, { now: at(5) }))).toBe('ERR_RECEIPT_INVALID');
    expect(await held(ledger)).toEqual([later.deviceKeyId]);
  });

  test('a request still pending when the license was deactivated, answered afterwards, does not stop the receipt (its response can no longer be activated)', async () => {
    const ledger = await ledgerWith(1);
    const stateA = await stateOn(A);
    const first = await createActivationRequest({ state: stateA, licenseKey: KEY, now: at(1) });
    expect((await stateA.activate((await respond(first.text, ledger, at(1))).text, { now: at(1) })).verdict.valid).toBe(true);
    const pending = await createActivationRequest({ state: stateA, licenseKey: KEY, now: at(2) });
    const pendingAnswer = await respond(pending.text, ledger, at(2));
    const receipt = await deactivateLicense({ state: stateA, licenseKey: KEY, now: at(3) });
    expect(await code(releaseReceipt(ledger, receipt.text, { now: at(4) }))).toBe('ok');
    expect((await stateA.activate(pendingAnswer.text, { now: at(5) })).verdict.reasons).toEqual(['ACTIVATION_NONCE_UNKNOWN']);
  });
});
