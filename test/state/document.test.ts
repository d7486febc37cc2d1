/**
 * The sealed state document: it round-trips; the MAC is checked over the
 * body's exact bytes before anything is read, so an edited byte, a state
 * copied from another machine, program or vendor key, or a newer version is
 * refused with its reason, never read.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { emptyDocument, MAX_PENDING_REQUESTS, sealDocument, stateMacKey, unsealDocument, type StateDocument } from '../../src/state/document.ts';

const KEY = stateMacKey('kid-1', 'acme-cad', 'MACHINE-A');
const expect_ = { program: 'acme-cad', vendorKeyId: 'kid-1' };

const doc = (): StateDocument => ({
  ...emptyDocument('acme-cad', 'kid-1'),
  trustedTimeMs: 1_780_000_000_000,
  vendorSignedMs: 1_779_000_000_000,
  licenses: new Map([
    ['AAAAA-BBBBB-CCCCC-DDDDD', { license: Uint8Array.of(1, 2, 3), secretHash: new Uint8Array(32).fill(7), hwidHash: null, resetCounter: 2, activatedAtMs: 1_770_000_000_000 }],
    ['EEEEE-FFFFF-GGGGG-HHHHH', { license: Uint8Array.of(4), secretHash: null, hwidHash: new Uint8Array(32).fill(9), resetCounter: 0, activatedAtMs: 1_771_000_000_000 }],
  ]),
  revocations: { sequence: 4, issuedAtMs: 1_779_000_000_000, revoked: ['0909', 'KEY'] },
});

describe('state document', () => {
  test('seals and opens to the same document', () => {
    const opened = unsealDocument(sealDocument(doc(), KEY), KEY, expect_);
    expect(opened).toEqual({ ok: true, document: doc() });
  });

  test.prop([fc.nat(), fc.integer({ min: 1, max: 255 })], { numRuns: 300 })('changing any byte is refused (tampered or malformed), never read as another state', (at, delta) => {
    const sealed = sealDocument(doc(), KEY);
    const i = at % sealed.length;
    sealed[i] = (sealed[i]! + delta) & 0xff;
    const opened = unsealDocument(sealed, KEY, expect_);
    expect(opened.ok).toBe(false);
  });

  test('a state copied from another machine, program or vendor key is refused', () => {
    const sealed = sealDocument(doc(), KEY);
    expect(unsealDocument(sealed, stateMacKey('kid-1', 'acme-cad', 'MACHINE-B'), expect_)).toMatchObject({ ok: false, problem: 'tampered' });
    expect(unsealDocument(sealed, stateMacKey('kid-1', 'other-app', 'MACHINE-A'), expect_)).toMatchObject({ ok: false, problem: 'tampered' });
    expect(unsealDocument(sealed, stateMacKey('kid-2', 'acme-cad', 'MACHINE-A'), expect_)).toMatchObject({ ok: false, problem: 'tampered' });
  });

  test('a newer version is refused as such, untouched', () => {
    const sealed = sealDocument(doc(), KEY);
    sealed[1] = 0x02; // [version=1, …] -> [version=2, …]
    expect(unsealDocument(sealed, KEY, expect_)).toMatchObject({ ok: false, problem: 'newer-version' });
  });

  test('the device key, pending request nonces and used nonces round-trip; a list over its bound is malformed, never read', () => {
    const withExchange: StateDocument = {
      ...doc(),
      device: { seed: new Uint8Array(32).fill(1), publicKey: new Uint8Array(32).fill(2) },
      pendingRequests: [{ nonce: new Uint8Array(16).fill(3), licenseKey: 'AAAAA-BBBBB-CCCCC-DDDDD', atMs: 1_780_000_000_001 }],
      usedNonces: [{ nonce: new Uint8Array(16).fill(4), atMs: 1_780_000_000_002 }],
    };
    expect(unsealDocument(sealDocument(withExchange, KEY), KEY, expect_)).toEqual({ ok: true, document: withExchange });
    const tooMany: StateDocument = { ...withExchange, pendingRequests: Array.from({ length: MAX_PENDING_REQUESTS + 1 }, (_, i) => ({ nonce: new Uint8Array(16).fill(i), licenseKey: 'K', atMs: i })) };
    expect(unsealDocument(sealDocument(tooMany, KEY), KEY, expect_)).toMatchObject({ ok: false, problem: 'malformed' });
    const shortNonce: StateDocument = { ...withExchange, usedNonces: [{ nonce: new Uint8Array(15), atMs: 1 }] };
    expect(unsealDocument(sealDocument(shortNonce, KEY), KEY, expect_)).toMatchObject({ ok: false, problem: 'malformed' });
  });

  test('garbage is malformed, not an exception', () => {
    for (const bytes of [new Uint8Array(0), Uint8Array.of(0xff), Uint8Array.of(0x83, 1, 2, 3)]) expect(unsealDocument(bytes, KEY, expect_)).toMatchObject({ ok: false, problem: 'malformed' });
  });
});
