/**
 * The air-gapped exchange end to end through the API, with two machines (two
 * states, each with its own fingerprint from the fixtures) and one ledger:
 * request, respond, activate; the limit reached and refused; deactivate and
 * release; the seat reused; a response replayed, moved to the other machine,
 * or edited, each refused with its code; a disk swap keeps its seat.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FIXTURES_DIR } from '../../scripts/make-fixtures.ts';
import { issueCryptolensLicense, issueNativeLicense } from '../../src/issuer/index.ts';
import { MemoryStore, openState } from '../../src/state/index.node.ts';
import { createActivationRequest, deactivateLicense, readActivationRequest, releaseReceipt, respondToActivationRequest } from '../../src/activation/index.node.ts';
import { respondToActivationRequest as respondCore } from '../../src/activation/respond.ts';
import { MemoryLedger } from '../../src/ledger/index.node.ts';
import { decodeBase64, encodeBase64 } from '../../src/lib/bytes.ts';
import { VENDOR, at, code, machine, stateOn } from './support.ts';

const KEY = 'AAAAA-BBBBB-CCCCC-DDDDD';
const A = machine('linux-server');
const B = machine('macos-laptop');
const A_DISK_SWAPPED = machine('linux-server-disk-swap');

async function ledgerWith(maxMachines: number, key = KEY) {
  const ledger = new MemoryLedger();
  await ledger.addLicense({ licenseKey: key, productId: 1001, maxMachines, customerId: null }, at(0).getTime());
  return ledger;
}
const respond = (request: string, ledger: MemoryLedger, now = at(1), days?: number) =>
  respondToActivationRequest(request, { privateJwk: VENDOR.privateJwk, ledger, now, ...(days === undefined ? {} : { days }) });

/** Flips one base64 character of the armoured text's body (a byte of the COSE message changes). */
function edit(text: string, index: number): string {
  const lines = text.trimEnd().split('\n');
  const b64 = lines.slice(1, -1).join('');
  const bytes = decodeBase64(b64) as Uint8Array;
  bytes[(index + bytes.length) % bytes.length]! ^= 0x01;
  return `${lines[0]}\n${encodeBase64(bytes)}\n${lines.at(-1)}\n`;
}

describe('request → respond → activate, two machines, one ledger', () => {
  test('the whole exchange, the limit, replays and moves, deactivation and the seat reused', async () => {
    const ledger = await ledgerWith(1);
    const stateA = await stateOn(A);
    const stateB = await stateOn(B);

    // Machine A asks; the request carries what it should, and no raw hardware value.
    const requestA = await createActivationRequest({ state: stateA, licenseKey: KEY, productId: 1001, fingerprint: A.fingerprint, now: at(1) });
    expect(requestA.text).toMatch(/^-----BEGIN LICENSEKIT ACTIVATION REQUEST-----\n[A-Za-z0-9+/=\n]+-----END LICENSEKIT ACTIVATION REQUEST-----\n$/);
    const readA = readActivationRequest(requestA.text);
    expect(readA).toMatchObject({ licenseKey: KEY, productId: '1001', machineCode: A.machineCode, fingerprint: A.fingerprint, nonce: requestA.nonce, deviceKeyId: requestA.deviceKeyId, requestedAt: at(1) });
    expect((await stateA.deviceKey()).keyId).toBe(requestA.deviceKeyId);

    // The vendor answers: a native license bound to A's machine code and device key, expiring after 30 days.
    const responseA = await respond(requestA.text, ledger, at(1), 30);
    expect(responseA.kept).toBe(false);
    expect(responseA.expires).toEqual(at(31));
    expect(responseA.text.startsWith('-----BEGIN LICENSEKIT LICENSE-----')).toBe(true);
    expect(await ledger.listActivations(KEY)).toMatchObject([{ deviceKeyId: requestA.deviceKeyId, fingerprint: A.fingerprint, releasedMs: null }]);

    // Machine A activates it: every check passes, the nonce and device checks among them.
    const activated = await stateA.activate(responseA.text, { now: at(2) });
    expect(activated.verdict.reasons).toEqual([]);
    expect(activated.verdict.valid).toBe(true);
    expect(activated.verdict.checks.filter((c) => c.check === 'nonce' || c.check === 'device' || c.check === 'machine').map((c) => c.ok)).toEqual([true, true, true]);
    expect((await stateA.validate(KEY, { now: at(3) })).outcome).toBe('valid');

    // Replayed on A: refused, ACTIVATION_NONCE_USED (and the stored license is unchanged).
    const replayed = await stateA.activate(responseA.text, { now: at(3) });
    expect(replayed.verdict.valid).toBe(false);
    expect(replayed.verdict.reasons).toEqual(['ACTIVATION_NONCE_USED']);

    // Carried to B: refused with every reason: another machine, another device key, a nonce B never made.
    const moved = await stateB.activate(responseA.text, { now: at(3) });
    expect(moved.verdict.valid).toBe(false);
    expect([...moved.verdict.reasons].sort()).toEqual(['ACTIVATION_NONCE_UNKNOWN', 'DEVICE_MISMATCH', 'MACHINE_MISMATCH']);
    expect((await stateB.status()).licenses).toEqual([]);

    // Edited (a byte of its signature; any byte in the property tests): SIGNATURE_INVALID, never stored.
    const requestB0 = await createActivationRequest({ state: stateB, licenseKey: KEY, fingerprint: B.fingerprint, now: at(3) });
    const edited = await stateB.activate(edit(responseA.text, -10), { now: at(3) });
    expect(edited.verdict.reasons).toContain('SIGNATURE_INVALID');
    expect(edited.verdict.valid).toBe(false);

    // B asks while A holds the only seat: refused, naming the limit and the machine holding it.
    let refusal: Error | undefined;
    await respond(requestB0.text, ledger, at(3)).catch((e: Error) => (refusal = e));
    expect(refusal).toMatchObject({ code: 'ERR_ACTIVATION_LIMIT_REACHED' });
    expect(refusal!.message).toContain('allows 1 machine');
    expect(refusal!.message).toContain(requestA.deviceKeyId);
    expect((await ledger.listActivations(KEY)).length).toBe(1);

    // A asks again (same device key): it keeps its seat, no second one is taken.
    const again = await respond((await createActivationRequest({ state: stateA, licenseKey: KEY, fingerprint: A.fingerprint, now: at(4) })).text, ledger, at(4));
    expect(again.kept).toBe(true);
    expect((await ledger.listActivations(KEY)).length).toBe(1);

    // A deactivates: the license leaves its state; the receipt frees the seat once.
    const receipt = await deactivateLicense({ state: stateA, licenseKey: KEY, now: at(5) });
    expect(receipt.text).toMatch(/^-----BEGIN LICENSEKIT DEACTIVATION RECEIPT-----\n/);
    expect((await stateA.validate(KEY, { now: at(5) })).outcome).toBe('not-found');
    expect(await code(deactivateLicense({ state: stateA, licenseKey: KEY, now: at(5) }))).toBe('ERR_ACTIVATION_NOT_HELD');
    expect(await releaseReceipt(ledger, receipt.text, { now: at(6) })).toMatchObject({ licenseKey: KEY, deviceKeyId: requestA.deviceKeyId, receiptId: receipt.nonce });
    expect(await code(releaseReceipt(ledger, receipt.text, { now: at(6) }))).toBe('ERR_RECEIPT_USED');
    expect(await code(releaseReceipt(ledger, edit(receipt.text, 30), { now: at(6) }))).toBe('ERR_RECEIPT_INVALID');

    // The seat is free: B's new request is answered, and B activates it.
    const requestB = await createActivationRequest({ state: stateB, licenseKey: KEY, productId: 1001, fingerprint: B.fingerprint, now: at(7) });
    const responseB = await respond(requestB.text, ledger, at(7));
    expect(responseB.kept).toBe(false);
    const activatedB = await stateB.activate(responseB.text, { now: at(8) });
    expect(activatedB.verdict.reasons).toEqual([]);
    // A ledger limit of 0 admits no machine (as ledger add-license reports it: "up to 0 machines").
    expect(await code(respond(requestB0.text, await ledgerWith(0), at(8)))).toBe('ERR_ACTIVATION_LIMIT_REACHED');
    expect((await ledger.listActivations(KEY)).filter((a) => a.releasedMs === null).map((a) => a.deviceKeyId)).toEqual([requestB.deviceKeyId]);
  });

  test('a disk swap with a new state (the fingerprint matching tolerantly) keeps the seat, which moves to the new device key: its receipt frees it, the old key\'s does not', async () => {
    const ledger = await ledgerWith(1);
    const before = await stateOn(A);
    const first = await createActivationRequest({ state: before, licenseKey: KEY, fingerprint: A.fingerprint, now: at(1) });
    const firstAnswer = await respond(first.text, ledger, at(1));
    expect(firstAnswer.movedFrom).toBeNull();
    expect((await before.activate(firstAnswer.text, { now: at(1) })).verdict.reasons).toEqual([]);
    const afterSwap = await stateOn(A_DISK_SWAPPED);
    const second = await createActivationRequest({ state: afterSwap, licenseKey: KEY, fingerprint: A_DISK_SWAPPED.fingerprint, now: at(2) });
    expect(second.deviceKeyId).not.toBe(first.deviceKeyId);
    const answer = await respond(second.text, ledger, at(2));
    expect(answer.kept).toBe(true);
    expect(answer.movedFrom).toMatchObject({ id: firstAnswer.activation.id, deviceKeyId: first.deviceKeyId });
    expect(answer.activation).toMatchObject({ deviceKeyId: second.deviceKeyId, replaces: firstAnswer.activation.id, fingerprint: A_DISK_SWAPPED.fingerprint });
    // Still one seat held, now under the new device key; the old one is recorded as moved at the answer's time.
    const seats = await ledger.listActivations(KEY);
    expect(seats.map((a) => [a.deviceKeyId, a.releasedMs, a.releasedBy])).toEqual([[first.deviceKeyId, at(2).getTime(), 'moved'], [second.deviceKeyId, null, null]]);
    expect((await afterSwap.activate(answer.text, { now: at(3) })).verdict.reasons).toEqual([]);
    // Asking again with the new key keeps the moved seat without moving it again.
    const third = await respond((await createActivationRequest({ state: afterSwap, licenseKey: KEY, fingerprint: A_DISK_SWAPPED.fingerprint, now: at(3) })).text, ledger, at(3));
    expect([third.kept, third.movedFrom, third.activation.id]).toEqual([true, null, answer.activation.id]);
    // Another machine's fingerprint does not match: it is refused.
    const other = await createActivationRequest({ state: await stateOn(B), licenseKey: KEY, fingerprint: B.fingerprint, now: at(2) });
    expect(await code(respond(other.text, ledger, at(2)))).toBe('ERR_ACTIVATION_LIMIT_REACHED');
    // The old state's receipt is genuine but frees nothing: the seat is no longer its device key's.
    const oldReceipt = await deactivateLicense({ state: before, licenseKey: KEY, now: at(4) });
    let refused: Error | undefined;
    await releaseReceipt(ledger, oldReceipt.text, { now: at(4) }).catch((e: Error) => (refused = e));
    expect(refused).toMatchObject({ code: 'ERR_RECEIPT_INVALID' });
    expect(refused!.message).toContain('moved');
    expect((await ledger.listActivations(KEY)).filter((a) => a.releasedMs === null).map((a) => a.deviceKeyId)).toEqual([second.deviceKeyId]);
    // The new state's receipt frees it, and the other machine then takes it.
    const newReceipt = await deactivateLicense({ state: afterSwap, licenseKey: KEY, now: at(5) });
    expect(await releaseReceipt(ledger, newReceipt.text, { now: at(5) })).toMatchObject({ deviceKeyId: second.deviceKeyId });
    expect((await ledger.listActivations(KEY)).at(-1)).toMatchObject({ deviceKeyId: second.deviceKeyId, releasedBy: 'receipt' });
    expect((await respond(other.text, ledger, at(6))).kept).toBe(false);
  });

  test('without tolerant matching (the core respond, no sameMachine), a new device key on the same hardware is a new machine', async () => {
    const ledger = await ledgerWith(2);
    const first = await createActivationRequest({ state: await stateOn(A), licenseKey: KEY, fingerprint: A.fingerprint, now: at(1) });
    await respondCore(first.text, { privateJwk: VENDOR.privateJwk, ledger, now: at(1) });
    const second = await createActivationRequest({ state: await stateOn(A), licenseKey: KEY, fingerprint: A.fingerprint, now: at(2) });
    const answer = await respondCore(second.text, { privateJwk: VENDOR.privateJwk, ledger, now: at(2) });
    expect([answer.kept, answer.movedFrom, answer.activation.replaces]).toEqual([false, null, null]);
    expect((await ledger.listActivations(KEY)).filter((a) => a.releasedMs === null).length).toBe(2);
  });

  test('an unknown, another product\'s, or a revoked license is refused with its code; an edited request never reaches the ledger', async () => {
    const ledger = await ledgerWith(3);
    const state = await stateOn(A);
    const unknown = await createActivationRequest({ state, licenseKey: 'ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ', now: at(1) });
    expect(await code(respond(unknown.text, ledger))).toBe('ERR_ACTIVATION_LICENSE_UNKNOWN');
    const otherProduct = await createActivationRequest({ state, licenseKey: KEY, productId: 2002, now: at(1) });
    expect(await code(respond(otherProduct.text, ledger))).toBe('ERR_ACTIVATION_LICENSE_UNKNOWN');
    const good = await createActivationRequest({ state, licenseKey: KEY, now: at(1) });
    expect(await code(respond(edit(good.text, 60), ledger))).toBe('ERR_ACTIVATION_REQUEST_INVALID');
    expect(await ledger.listActivations()).toEqual([]);
    await ledger.revokeLicense(KEY);
    expect(await code(respond(good.text, ledger))).toBe('ERR_ACTIVATION_LICENSE_REVOKED');
    expect(await ledger.listActivations()).toEqual([]);
  });

  test('deactivating forgets the pending requests for that license: a response to one of them cannot bring the license back without a seat', async () => {
    const ledger = await ledgerWith(1);
    const state = await stateOn(A);
    const first = await createActivationRequest({ state, licenseKey: KEY, now: at(1) });
    const second = await createActivationRequest({ state, licenseKey: KEY, now: at(1) });
    const answerFirst = await respond(first.text, ledger, at(1));
    const answerSecond = await respond(second.text, ledger, at(2)); // the same device keeps its seat
    expect(answerSecond.kept).toBe(true);
    expect((await state.activate(answerFirst.text, { now: at(2) })).verdict.reasons).toEqual([]);
    const receipt = await deactivateLicense({ state, licenseKey: KEY, now: at(3) });
    await releaseReceipt(ledger, receipt.text, { now: at(3) });
    expect((await state.activate(answerSecond.text, { now: at(4) })).verdict.reasons).toEqual(['ACTIVATION_NONCE_UNKNOWN']);
  });

  test('a license that is no activation response activates as before: a plain native license, and a Cryptolens file', async () => {
    const state = await stateOn(A);
    const native = await issueNativeLicense({ product: 1001, key: KEY, expires: null }, { privateJwk: VENDOR.privateJwk, now: at(1) });
    const activated = await state.activate(native.text, { now: at(2) });
    expect(activated.verdict.reasons).toEqual([]);
    expect(activated.verdict.checks.map((c) => c.check)).not.toContain('nonce');
    const rsa = await openState({ program: 'acme-cad', key: readFileSync(join(FIXTURES_DIR, 'keys', 'vendor-rsa2048.public.pem'), 'utf8'), store: new MemoryStore(), machineCode: A.machineCode, clockEvidence: false });
    const skm = await issueCryptolensLicense({ productId: 1001, key: 'CRYPT-OLENS-00000-00001' }, { privateJwk: JSON.parse(readFileSync(join(FIXTURES_DIR, 'keys', 'vendor-rsa2048.private.jwk.json'), 'utf8')), now: at(1) });
    expect((await rsa.activate(skm, { now: at(2) })).verdict.reasons).toEqual([]);
  });

  test('a state keeps at most 16 pending requests: the oldest nonce is forgotten, and its response is refused', async () => {
    const ledger = await ledgerWith(1);
    const state = await stateOn(A);
    const oldest = await createActivationRequest({ state, licenseKey: KEY, now: at(1) });
    for (let i = 0; i < 16; i++) await createActivationRequest({ state, licenseKey: KEY, now: at(1) });
    const answer = await respond(oldest.text, ledger, at(1));
    expect((await state.activate(answer.text, { now: at(2) })).verdict.reasons).toEqual(['ACTIVATION_NONCE_UNKNOWN']);
  });

  test('the device key is made once per state and kept across reopening; the request is small enough for one QR code', async () => {
    const state = await stateOn(A);
    expect(await state.status()).toMatchObject({ deviceKeyId: null, pendingRequests: 0 });
    const first = await state.deviceKey();
    expect(first.keyId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await state.deviceKey()).keyId).toBe(first.keyId);
    const request = await createActivationRequest({ state, licenseKey: KEY, productId: 1001, fingerprint: A.fingerprint, now: at(1) });
    expect(request.deviceKeyId).toBe(first.keyId);
    expect(request.text.length).toBeLessThan(2953); // QR version 40, byte mode, level L
    // status() names the device key and counts the requests awaiting a response; an activated response is no longer pending.
    await createActivationRequest({ state, licenseKey: KEY, now: at(1) });
    expect(await state.status()).toMatchObject({ deviceKeyId: first.keyId, pendingRequests: 2, verified: true });
    const ledger = await ledgerWith(1);
    expect((await state.activate((await respond(request.text, ledger, at(1))).text, { now: at(2) })).verdict.reasons).toEqual([]);
    expect((await state.status()).pendingRequests).toBe(1);
    await deactivateLicense({ state, licenseKey: KEY, now: at(3) }); // forgets the other pending request of that license
    expect(await state.status()).toMatchObject({ deviceKeyId: first.keyId, pendingRequests: 0 });
  });
});
