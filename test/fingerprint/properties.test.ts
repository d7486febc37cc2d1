import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import {
  COMPONENT_NAMES,
  fingerprintFromSnapshot,
  MachineCodeUnavailableError,
  matchFingerprint,
  recordFingerprint,
  serializeFingerprint,
  type MachineSnapshot,
  type NetworkInterfaceReading,
  type RecordedFingerprint,
} from '../../src/fingerprint/index.ts';
import { CODED_SNAPSHOT_NAMES, loadSnapshot, SNAPSHOT_NAMES } from './fixtures.ts';

/** Every recorded snapshot, including those from which no machine code can be derived. */
const snapshots = SNAPSHOT_NAMES.map((name) => loadSnapshot(name).snapshot);
const arbSnapshot = fc.constantFrom(...snapshots);
/** The snapshots that have a machine code. */
const codedSnapshots = CODED_SNAPSHOT_NAMES.map((name) => loadSnapshot(name).snapshot);
const arbCodedSnapshot = fc.constantFrom(...codedSnapshots);
const arbProduct = fc.string({ minLength: 1, maxLength: 40 });
/**
 * Each new (product, value) pair costs one scrypt evaluation (~40 ms, on purpose: see COMPONENT_KDF), so
 * the properties whose law is not about the salt use a few fixed salts (remembered after the first run),
 * and those that need fresh salts or values run fewer cases.
 */
const arbFewProducts = fc.constantFrom('p', 'acme-cad', 'Ωmega product 7');
const FRESH_KDF_RUNS = { numRuns: 12 };
const arbMac = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 6, maxLength: 6 }).map((bytes) => bytes.map((b) => b.toString(16).padStart(2, '0')).join(':'));

/** Interfaces that must never count: software interfaces by name, or anything without a backing device. */
const arbVirtualInterface: fc.Arbitrary<NetworkInterfaceReading> = fc.oneof(
  fc.record({
    name: fc.tuple(fc.constantFrom('docker', 'veth', 'br-', 'virbr', 'vmnet', 'vboxnet', 'tap', 'utun'), fc.nat(99)).map(([p, n]) => `${p}${n}`),
    mac: arbMac,
    physical: fc.boolean(),
    up: fc.boolean(),
  }),
  fc.record({ name: fc.constantFrom('eth1', 'vEthernet (WSL)', 'Ethernet 7'), mac: arbMac, physical: fc.constant(false), up: fc.boolean() }),
);

/**
 * The fingerprint without its human notes (which list excluded interfaces for
 * the CLI); or, when no machine code can be derived, the error code with the
 * components that were read, so the properties cover that outcome too.
 */
function identity(snapshot: MachineSnapshot, product: string) {
  try {
    const fp = fingerprintFromSnapshot(snapshot, product);
    return { ...fp, components: fp.components.map(({ note: _note, ...rest }) => rest) };
  } catch (error) {
    if (!(error instanceof MachineCodeUnavailableError)) throw error;
    return { error: error.code, platform: error.platform, environment: error.environment, components: error.components.map(({ note: _note, ...rest }) => rest) };
  }
}

function sameFingerprint(a: MachineSnapshot, b: MachineSnapshot, product: string): void {
  expect(identity(b, product)).toEqual(identity(a, product));
}

describe('fingerprint properties', () => {
  test.prop([arbSnapshot, fc.array(arbVirtualInterface, { maxLength: 4 }), fc.nat(), arbFewProducts])(
    'adding virtual interfaces anywhere never changes the fingerprint',
    (snapshot, extra, at, product) => {
      const network = [...snapshot.network];
      for (const entry of extra) network.splice(at % (network.length + 1), 0, entry);
      sameFingerprint(snapshot, { ...snapshot, network }, product);
    },
  );

  test.prop([arbSnapshot.chain((s) => fc.tuple(fc.constant(s), fc.shuffledSubarray([...s.network], { minLength: s.network.length }))), arbFewProducts])(
    'reordering interfaces never changes the fingerprint',
    ([snapshot, network], product) => {
      sameFingerprint(snapshot, { ...snapshot, network }, product);
    },
  );

  test.prop([arbSnapshot, fc.boolean()])('link state never changes the fingerprint (Wi-Fi off)', (snapshot, up) => {
    sameFingerprint(snapshot, { ...snapshot, network: snapshot.network.map((n) => ({ ...n, up })) }, 'p');
  });

  test.prop([arbCodedSnapshot, arbProduct, arbProduct], FRESH_KDF_RUNS)('the machine code differs between two product salts', (snapshot, a, b) => {
    fc.pre(a !== b);
    expect(fingerprintFromSnapshot(snapshot, a).machineCode).not.toBe(fingerprintFromSnapshot(snapshot, b).machineCode);
  });

  test.prop([arbSnapshot, fc.stringMatching(/^[A-Z0-9]{8,20}$/), fc.stringMatching(/^[A-Z0-9]{8,20}$/), arbProduct], FRESH_KDF_RUNS)(
    'neither a hash nor the stored form contains the raw serial',
    (snapshot, serial, disk, product) => {
      // With a disk serial every snapshot has a machine code (the disk serial is identifying and any user can read it).
      const fp = fingerprintFromSnapshot({ ...snapshot, systemSerial: serial, diskSerial: disk }, product);
      const text = `${serializeFingerprint(recordFingerprint(fp))} ${JSON.stringify(fp.components.map((c) => c.hashes))}`.toUpperCase();
      expect(text).not.toContain(serial);
      expect(text).not.toContain(disk);
      expect(fp.components.find((c) => c.name === 'system-serial')?.status).toBe('ok');
    },
  );
});

/** Coded snapshots strong enough to record (all but a container seeing only its MACs). */
const recordable = codedSnapshots.filter((s) => {
  try {
    recordFingerprint(fingerprintFromSnapshot(s, 'p'));
    return true;
  } catch {
    return false;
  }
});

describe('matching properties', () => {
  const arbLater = (snapshot: MachineSnapshot) =>
    fc.constantFrom(...codedSnapshots).map((later) => [snapshot, later] as const);

  test('every coded fixture is strong enough to record, except those that hold only a MAC set or only a machine-id', () => {
    const weak = CODED_SNAPSHOT_NAMES.filter((_, i) => !recordable.includes(codedSnapshots[i]!));
    expect(weak.sort()).toEqual(['container-host-network', 'container-machine-id-only', 'spoofed-mac-rest-hidden']);
  });

  test.prop([fc.constantFrom(...recordable).chain(arbLater), fc.constantFrom('weighted', 'any', 'two', 'most', 'all' as const), fc.nat(), fc.nat()])(
    'matching ignores the order of components and hashes',
    ([activation, later], mode, seedA, seedB) => {
      const recorded = recordFingerprint(fingerprintFromSnapshot(activation, 'p'));
      const current = fingerprintFromSnapshot(later, 'p');
      const rotate = <T>(list: readonly T[], by: number) => list.map((_, i) => list[(i + by) % list.length]!);
      const entries = Object.entries(recorded.components);
      const shuffled: RecordedFingerprint = {
        v: 2,
        components: Object.fromEntries(rotate(entries, seedA).map(([name, hashes]) => [name, rotate(hashes!, seedB)])),
      };
      const reordered = { ...current, components: rotate(current.components, seedB).map((c) => ({ ...c, hashes: rotate(c.hashes, seedA) })) };
      expect(matchFingerprint(shuffled, reordered, { mode })).toEqual(matchFingerprint(recorded, current, { mode }));
    },
  );

  const lowWeight = COMPONENT_NAMES.filter((name) => name !== 'system-uuid');
  // Machines with at least three identifying components: with one (a container seeing just its MACs), changing it is another
  // machine; with two (a VM read as a user: MAC and machine-id), losing the machine-id leaves 20 of 40, below the 0.6 threshold.
  const sturdy = codedSnapshots.filter((s) => fingerprintFromSnapshot(s, 'p').components.filter((c) => c.status === 'ok' && c.kind !== 'descriptor').length >= 3);
  test.prop([fc.constantFrom(...sturdy), fc.constantFrom(...lowWeight), fc.stringMatching(/^[A-Z0-9]{10,16}$/), arbMac])(
    'changing one low-weight component keeps the match',
    (snapshot, name, value, mac) => {
      const changed: MachineSnapshot =
        name === 'mac' ? { ...snapshot, network: snapshot.network.map((n) => ({ ...n, mac: `00:${mac.slice(3)}` })) }
        : name === 'cpu' ? { ...snapshot, cpu: { vendor: 'OtherVendor', model: value, family: '1', modelNumber: '2', stepping: '3' } }
        : name === 'system-serial' ? { ...snapshot, systemSerial: value }
        : name === 'board-serial' ? { ...snapshot, boardSerial: value }
        : name === 'disk-serial' ? { ...snapshot, diskSerial: value }
        : { ...snapshot, osInstallId: value };
      const result = matchFingerprint(fingerprintFromSnapshot(snapshot, 'p'), fingerprintFromSnapshot(changed, 'p'));
      expect(result.matched).toBe(true);
      expect(result.mismatchedComponents.length).toBeLessThanOrEqual(1);
    },
  );

  test.prop([arbCodedSnapshot])('a fingerprint always matches itself in every mode, unless it is too weak to have been recorded', (snapshot) => {
    const fp = fingerprintFromSnapshot(snapshot, 'p');
    for (const mode of ['weighted', 'any', 'two', 'most', 'all'] as const) {
      const result = matchFingerprint(fp, fp, { mode });
      expect(result.mismatchedComponents).toEqual([]);
      if (!recordable.includes(snapshot)) expect(result.reason).toBe('recorded-too-weak');
      else expect(result.matched, mode).toBe(mode !== 'two' || result.matchedComponents.length >= 2);
    }
  });
});
