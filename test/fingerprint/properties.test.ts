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
  test.prop([arbSnapshot, fc.array(arbVirtualInterface, { maxLength: 4 }), fc.nat(), arbProduct])(
    'adding virtual interfaces anywhere never changes the fingerprint',
    (snapshot, extra, at, product) => {
      const network = [...snapshot.network];
      for (const entry of extra) network.splice(at % (network.length + 1), 0, entry);
      sameFingerprint(snapshot, { ...snapshot, network }, product);
    },
  );

  test.prop([arbSnapshot.chain((s) => fc.tuple(fc.constant(s), fc.shuffledSubarray([...s.network], { minLength: s.network.length }))), arbProduct])(
    'reordering interfaces never changes the fingerprint',
    ([snapshot, network], product) => {
      sameFingerprint(snapshot, { ...snapshot, network }, product);
    },
  );

  test.prop([arbSnapshot, fc.boolean()])('link state never changes the fingerprint (Wi-Fi off)', (snapshot, up) => {
    sameFingerprint(snapshot, { ...snapshot, network: snapshot.network.map((n) => ({ ...n, up })) }, 'p');
  });

  test.prop([arbCodedSnapshot, arbProduct, arbProduct])('the machine code differs between two product salts', (snapshot, a, b) => {
    fc.pre(a !== b);
    expect(fingerprintFromSnapshot(snapshot, a).machineCode).not.toBe(fingerprintFromSnapshot(snapshot, b).machineCode);
  });

  test.prop([arbSnapshot, fc.stringMatching(/^[A-Z0-9]{8,20}$/), fc.stringMatching(/^[A-Z0-9]{8,20}$/), arbProduct])(
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

describe('matching properties', () => {
  const arbLater = (snapshot: MachineSnapshot) =>
    fc.constantFrom(...codedSnapshots).map((later) => [snapshot, later] as const);

  test.prop([arbCodedSnapshot.chain(arbLater), fc.constantFrom('weighted', 'any', 'two', 'most', 'all' as const), fc.nat(), fc.nat()])(
    'matching ignores the order of components and hashes',
    ([activation, later], mode, seedA, seedB) => {
      const recorded = recordFingerprint(fingerprintFromSnapshot(activation, 'p'));
      const current = fingerprintFromSnapshot(later, 'p');
      const rotate = <T>(list: readonly T[], by: number) => list.map((_, i) => list[(i + by) % list.length]!);
      const entries = Object.entries(recorded.components);
      const shuffled: RecordedFingerprint = {
        v: 1,
        components: Object.fromEntries(rotate(entries, seedA).map(([name, hashes]) => [name, rotate(hashes!, seedB)])),
      };
      const reordered = { ...current, components: rotate(current.components, seedB).map((c) => ({ ...c, hashes: rotate(c.hashes, seedA) })) };
      expect(matchFingerprint(shuffled, reordered, { mode })).toEqual(matchFingerprint(recorded, current, { mode }));
    },
  );

  const lowWeight = COMPONENT_NAMES.filter((name) => name !== 'system-uuid');
  // Machines with at least two identifying components: with only one (a container seeing just its MACs), changing it is another machine.
  const sturdy = codedSnapshots.filter((s) => fingerprintFromSnapshot(s, 'p').components.filter((c) => c.status === 'ok' && c.kind !== 'descriptor').length >= 2);
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

  test.prop([arbCodedSnapshot])('a fingerprint always matches itself in every mode', (snapshot) => {
    const fp = fingerprintFromSnapshot(snapshot, 'p');
    for (const mode of ['weighted', 'any', 'two', 'most', 'all'] as const) {
      const result = matchFingerprint(fp, fp, { mode });
      expect(result.mismatchedComponents).toEqual([]);
      expect(result.matched, mode).toBe(mode !== 'two' || result.matchedComponents.length >= 2);
    }
  });
});
