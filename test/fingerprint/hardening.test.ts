/**
 * Issue 7, items 2 and 3: hiding a recorded component never makes a match
 * easier than it being readable and different; fingerprints too weak to bind
 * anything are refused at recording; component hashes are stretched with
 * scrypt so a MAC with a known vendor prefix is no longer brute-forced in seconds.
 */
import { fc, test } from '@fast-check/vitest';
import { scryptSync } from 'node:crypto';
import { describe, expect } from 'vitest';
import {
  COMPONENT_KDF,
  COMPONENT_NAMES,
  fingerprintFromSnapshot,
  fingerprintFromSnapshotAsync,
  matchFingerprint,
  recordFingerprint,
  type ComponentName,
  type RecordedFingerprint,
} from '../../src/fingerprint/index.ts';
import { componentHash } from '../../src/fingerprint/hash.ts';
import { FingerprintError } from '../../src/lib/errors.ts';
import { CODED_SNAPSHOT_NAMES, loadSnapshot } from './fixtures.ts';

const PRODUCT = 'acme-cad';
const fp = (name: string) => fingerprintFromSnapshot(loadSnapshot(name).snapshot, PRODUCT);
const coded = CODED_SNAPSHOT_NAMES.map(fp);

describe('hiding is never easier than being different', () => {
  const arbCase = fc.record({
    activation: fc.constantFrom(...coded),
    later: fc.constantFrom(...coded),
    name: fc.constantFrom(...COMPONENT_NAMES),
    mode: fc.constantFrom('weighted', 'any', 'two', 'most', 'all' as const),
  });
  test.prop([arbCase])('a recorded component made unreadable gives the same verdict and score as one made different', ({ activation, later, name, mode }) => {
    const now = { v: 2, components: Object.fromEntries(later.components.filter((c) => c.status === 'ok').map((c) => [c.name, c.hashes])) } as RecordedFingerprint;
    const hidden: RecordedFingerprint = { v: 2, components: { ...now.components, [name]: undefined } };
    const different: RecordedFingerprint = { v: 2, components: { ...now.components, [name]: ['f'.repeat(32)] } };
    delete (hidden.components as Record<ComponentName, unknown>)[name];
    const a = matchFingerprint(activation, hidden, { mode });
    const b = matchFingerprint(activation, different, { mode });
    expect({ matched: a.matched, reason: a.reason, score: a.score }).toEqual({ matched: b.matched, reason: b.reason, score: b.score });
  });

  test('clone-as-user scored 1.00 before; now 40/85, refused', () => {
    const result = matchFingerprint(recordFingerprint(fp('vm-clone-a')), fp('vm-clone-as-user'));
    expect(result).toMatchObject({ matched: false, reason: 'below-threshold', unknownComponents: ['system-uuid', 'system-serial'] });
    expect(result.score).toBeCloseTo(40 / 85);
  });

  test('all-but-one hidden: only the forged MACs readable scores 15/100', () => {
    const result = matchFingerprint(recordFingerprint(fp('linux-server')), fp('spoofed-mac-rest-hidden'));
    expect(result).toMatchObject({ matched: false, reason: 'below-threshold', matchedComponents: ['mac'] });
    expect(result.score).toBeCloseTo(0.15);
  });

  test('the root-recorded, user-checked same machine needs the explicit opt-in, which ignores only no-permission unknowns', () => {
    const recorded = recordFingerprint(fp('linux-server'));
    expect(matchFingerprint(recorded, fp('linux-server-unprivileged')).matched).toBe(false);
    const optIn = matchFingerprint(recorded, fp('linux-server-unprivileged'), { unknownComponents: 'ignore-no-permission' });
    expect(optIn).toMatchObject({ matched: true, score: 1 });
    expect(optIn.components.filter((c) => c.outcome === 'ignored').map((c) => c.name)).toEqual(['system-uuid', 'system-serial']);
    // Unknown for any other reason still counts under the opt-in.
    const hiddenRest = matchFingerprint(recorded, fp('spoofed-mac-rest-hidden'), { unknownComponents: 'ignore-no-permission' });
    expect(hiddenRest.matched).toBe(false);
    expect(() => matchFingerprint(recorded, recorded, { unknownComponents: 'ignore' as never })).toThrow(RangeError);
    expect(() => matchFingerprint(recorded, recorded, { minimumRecordedWeight: 0 })).toThrow(RangeError);
  });
});

describe('recording refuses a fingerprint too weak to bind to one machine', () => {
  test.each([
    ['container-machine-id-only', 'machine-id and CPU only'],
    ['container-host-network', 'one MAC set only'],
  ])('%s (%s): ERR_FINGERPRINT_TOO_WEAK', (name) => {
    const error = (() => {
      try {
        recordFingerprint(fp(name));
      } catch (e) {
        return e;
      }
      throw new Error('recorded');
    })();
    expect(error).toBeInstanceOf(FingerprintError);
    expect((error as FingerprintError).code).toBe('ERR_FINGERPRINT_TOO_WEAK');
  });

  test('the vendor can lower the bar explicitly; bad options are RangeErrors', () => {
    expect(Object.keys(recordFingerprint(fp('container-host-network'), { minimumWeight: 15 }).components)).toEqual(['mac', 'cpu']);
    expect(() => recordFingerprint(fp('container-machine-id-only'), { minimumWeight: 20 })).toThrow(expect.objectContaining({ code: 'ERR_FINGERPRINT_TOO_WEAK' }));
    expect(Object.keys(recordFingerprint(fp('container-machine-id-only'), { minimumWeight: 20, requireHardware: false }).components)).toEqual(['os-install-id', 'cpu']);
    expect(() => recordFingerprint(fp('linux-server'), { minimumWeight: 0 })).toThrow(RangeError);
  });

  test('a weak recording stored before is refused at matching too', () => {
    const weak = recordFingerprint(fp('container-machine-id-only'), { minimumWeight: 20, requireHardware: false });
    expect(matchFingerprint(weak, fp('host-with-copied-machine-id'))).toMatchObject({ matched: false, reason: 'recorded-too-weak' });
  });
});

describe('stretched component hashes', () => {
  test('identifying components are scrypt(N=2^14, r=8, p=1) salted with component and product; the CPU keeps a plain HMAC', () => {
    expect(COMPONENT_KDF).toEqual({ name: 'scrypt', N: 16384, r: 8, p: 1, keyLength: 16 });
    const mac = '0242AC110003';
    const expected = scryptSync(mac, `licensekit/fingerprint/v2\u0000mac\u0000${PRODUCT}`, 16, { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }).toString('hex');
    expect(componentHash(PRODUCT, 'mac', mac)).toBe(expected);
    // A known answer, so a change of parameters cannot pass unnoticed (it needs a new recorded format version).
    expect(componentHash('acme-cad', 'os-install-id', '3D1219C7C4C5404AAA1F6D2A48ADFDA4')).toBe('c695b0c7174f87d61aba6536edfccfd0');
    expect(componentHash(PRODUCT, 'cpu', 'X')).toMatch(/^[0-9a-f]{32}$/);
  });

  test('one guess costs a scrypt evaluation: far more than the 2-3 µs of the old HMAC', () => {
    const start = performance.now();
    for (let i = 0; i < 3; i++) componentHash(`fresh-${Date.now()}-${i}`, 'mac', '0242AC110003');
    expect((performance.now() - start) / 3).toBeGreaterThan(5);
  });

  test('the async path (thread pool) gives the same fingerprint as the synchronous one', async () => {
    for (const name of ['linux-server', 'windows-desktop', 'vm-clone-as-user']) {
      const snapshot = loadSnapshot(name).snapshot;
      expect(await fingerprintFromSnapshotAsync(snapshot, 'async-salt')).toEqual(fingerprintFromSnapshot(snapshot, 'async-salt'));
    }
  });
});
