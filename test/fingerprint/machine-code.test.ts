/**
 * The machine code's basis: which component it comes from (MACHINE_CODE_ORDER),
 * that the CPU descriptor never enters it, and that a machine with nothing
 * identifying gets a typed error instead of a code shared with other machines.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import {
  COMPONENTS,
  COMPONENT_NAMES,
  fingerprintFromSnapshot,
  MACHINE_CODE_ORDER,
  machineCodeBasis,
  MachineCodeUnavailableError,
  type ComponentName,
  type MachineSnapshot,
} from '../../src/fingerprint/index.ts';
import { isPrivilegedComponent } from '../../src/fingerprint/components.ts';
import { machineCodeDigest } from '../../src/fingerprint/hash.ts';
import { FingerprintError, isLicenseKitError } from '../../src/lib/errors.ts';
import { CODED_SNAPSHOT_NAMES, loadSnapshot, SNAPSHOT_NAMES } from './fixtures.ts';

const PRODUCT = 'acme-cad';
const cpuOnly = loadSnapshot('container-cpu-only').snapshot;
const arbSerial = fc.stringMatching(/^[A-Z0-9]{10,16}$/);
const arbUniversalMac = fc
  .array(fc.integer({ min: 0, max: 255 }), { minLength: 5, maxLength: 5 })
  .map((bytes) => ['00', ...bytes.map((b) => b.toString(16).padStart(2, '0'))].join(':'));
const physical = (name: string, mac: string) => ({ name, mac, physical: true, permanent: true, usb: false, wireless: false, up: true });

/** The error fingerprintFromSnapshot throws, or a failure when it returns a fingerprint. */
function unavailable(snapshot: MachineSnapshot, product = PRODUCT): MachineCodeUnavailableError {
  try {
    const fp = fingerprintFromSnapshot(snapshot, product);
    throw new Error(`expected no machine code, got ${fp.machineCode} from ${fp.machineCodeBasis.join(', ')}`);
  } catch (error) {
    if (!(error instanceof MachineCodeUnavailableError)) throw error;
    return error;
  }
}

describe('MACHINE_CODE_ORDER', () => {
  test('lists every identifying component exactly once, preferred identities first, and no descriptor', () => {
    expect(MACHINE_CODE_ORDER).toEqual(['system-uuid', 'os-install-id', 'system-serial', 'board-serial', 'disk-serial', 'mac']);
    const identifying = COMPONENT_NAMES.filter((name) => COMPONENTS[name].kind !== 'descriptor');
    expect([...MACHINE_CODE_ORDER].sort()).toEqual([...identifying].sort());
    expect(MACHINE_CODE_ORDER).not.toContain('cpu');
    expect(Object.isFrozen(MACHINE_CODE_ORDER)).toBe(true);
  });
});

describe('a machine with only the CPU readable', () => {
  test('gets a typed ERR_FINGERPRINT_UNAVAILABLE naming what was missing and why, not a code', () => {
    const error = unavailable(cpuOnly);
    expect(error).toBeInstanceOf(FingerprintError);
    expect(isLicenseKitError(error)).toBe(true);
    expect({ name: error.name, code: error.code, message: error.message }).toMatchInlineSnapshot(`
      {
        "code": "ERR_FINGERPRINT_UNAVAILABLE",
        "message": "no machine code can be derived on this linux machine: no identifying component is readable, and a code from the CPU model or from nothing would be shared by other machines. Not readable: disk-serial (absent: not found), mac (absent: 0 adapters; excluded eth0 (virtual)), os-install-id (absent: not found). Root-only on linux, so never used for the machine code: system-uuid (no-permission), system-serial (no-permission), board-serial (no-permission). Shared by every machine of the model, so never used for the machine code: cpu (ok).",
        "name": "MachineCodeUnavailableError",
      }
    `);
    // What was read stays available for display: salted hashes and notes, never raw values.
    expect(error.platform).toBe('linux');
    expect(error.components.map((c) => [c.name, c.status])).toEqual(COMPONENT_NAMES.map((name) => [name, loadSnapshot('container-cpu-only').expect.status[name]]));
    expect(error.environment).toMatchObject({ container: true, containerRuntime: 'docker', virtualMachine: true });
    expect(error.message).not.toMatch(/0242AC110003|02:42:ac:11:00:03/i);
  });

  test('two containers on different hosts with the same CPU do not share a code: neither gets one', () => {
    const otherHost: MachineSnapshot = {
      ...cpuOnly,
      network: [{ name: 'eth0', mac: '02:42:ac:11:00:09', physical: false, permanent: false, up: true }],
      evidence: { ...cpuOnly.evidence, cgroup: '0::/docker/0123456789abcdef\n' },
    };
    expect(unavailable(cpuOnly).code).toBe('ERR_FINGERPRINT_UNAVAILABLE');
    expect(unavailable(otherHost).code).toBe('ERR_FINGERPRINT_UNAVAILABLE');
  });

  test('root-only components read as root do not rescue it: the outcome does not depend on privileges', () => {
    const asRoot: MachineSnapshot = { ...cpuOnly, systemUuid: '4c4c4544-0037-4b10-8031-c4c04f565432', systemSerial: 'F7K1VT2', boardSerial: '.F7K1VT2.CN1296384A00BE.' };
    const error = unavailable(asRoot);
    expect(error.components.filter((c) => c.status === 'ok').map((c) => c.name)).toEqual(['system-uuid', 'system-serial', 'board-serial', 'cpu']);
    expect(error.message).toContain('Root-only on linux, so never used for the machine code: system-uuid (ok), system-serial (ok), board-serial (ok)');
    expect(error.message).not.toContain('F7K1VT2');
  });

  test.prop([fc.string({ minLength: 1, maxLength: 40 })])('nothing readable at all is an error for every product salt, never one constant code', (product) => {
    const nothing: MachineSnapshot = { ...cpuOnly, cpu: { missing: 'unreadable' }, network: [] };
    const error = unavailable(nothing, product);
    expect(error.components.every((c) => c.status !== 'ok')).toBe(true);
    expect(error.message).toContain('cpu (unreadable)');
  });

  test('machineCodeBasis is empty, and the digest refuses an empty basis or a descriptor', () => {
    expect(machineCodeBasis('linux', unavailable(cpuOnly).components)).toEqual([]);
    expect(() => machineCodeDigest([])).toThrow(expect.objectContaining({ code: 'ERR_FINGERPRINT_UNAVAILABLE' }));
    expect(() => machineCodeDigest([{ name: 'cpu', hashes: ['0'.repeat(32)] }])).toThrow(expect.objectContaining({ code: 'ERR_FINGERPRINT_UNAVAILABLE' }));
    expect(() => machineCodeDigest([{ name: 'disk-serial', hashes: [] }])).toThrow(FingerprintError);
  });
});

describe('fallbacks when there is no system UUID or OS install id', () => {
  test('a container without a machine-id but with a disk serial gets its code from the disk serial', () => {
    const fp = fingerprintFromSnapshot(loadSnapshot('docker-container').snapshot, PRODUCT);
    expect(fp.machineCodeBasis).toEqual(['disk-serial']);
    expect(fp.machineCode).toMatch(/^[0-9A-F]{64}$/);
    // The host's DMI values are readable (as root) but never count; the CPU never does.
    expect(fp.components.find((c) => c.name === 'system-uuid')?.status).toBe('ok');
  });

  test('a container without a machine-id or disk serial but with physical MACs gets its code from the MACs', () => {
    const fp = fingerprintFromSnapshot(loadSnapshot('container-host-network').snapshot, PRODUCT);
    expect(fp.machineCodeBasis).toEqual(['mac']);
    expect(fp.machineCode).toMatch(/^[0-9A-F]{64}$/);
  });

  test('the CPU-only container gets a code once a disk serial or a physical MAC is readable', () => {
    expect(fingerprintFromSnapshot({ ...cpuOnly, diskSerial: 'BTLJ1234567A' }, PRODUCT).machineCodeBasis).toEqual(['disk-serial']);
    expect(fingerprintFromSnapshot({ ...cpuOnly, network: [...cpuOnly.network, physical('eno1', '94:18:82:6a:7b:10')] }, PRODUCT).machineCodeBasis).toEqual(['mac']);
    // A disk serial beats the MACs; the system and board serials beat the disk where any user can read them.
    expect(fingerprintFromSnapshot({ ...cpuOnly, diskSerial: 'BTLJ1234567A', network: [physical('eno1', '94:18:82:6a:7b:10')] }, PRODUCT).machineCodeBasis).toEqual(['disk-serial']);
    const windows: MachineSnapshot = { ...cpuOnly, platform: 'win32', systemSerial: 'F7K1VT2', boardSerial: '/F7K1VT2/CN1296384A00BE/', diskSerial: 'BTLJ1234567A' };
    expect(fingerprintFromSnapshot(windows, PRODUCT).machineCodeBasis).toEqual(['system-serial']);
    expect(fingerprintFromSnapshot({ ...windows, systemSerial: 'To be filled by O.E.M.' }, PRODUCT).machineCodeBasis).toEqual(['board-serial']);
  });

  // Each fresh value costs one scrypt evaluation (~40 ms, on purpose): fewer cases.
  test.prop([arbSerial, arbSerial], { numRuns: 15 })('two machines with the same CPU and different disk serials get different codes', (a, b) => {
    fc.pre(a !== b);
    const codeA = fingerprintFromSnapshot({ ...cpuOnly, diskSerial: a }, PRODUCT).machineCode;
    const codeB = fingerprintFromSnapshot({ ...cpuOnly, diskSerial: b }, PRODUCT).machineCode;
    expect(codeA).not.toBe(codeB);
  });

  test.prop([arbUniversalMac, arbUniversalMac], { numRuns: 15 })('two machines with the same CPU and different physical MACs get different codes', (a, b) => {
    fc.pre(a !== b);
    const codeA = fingerprintFromSnapshot({ ...cpuOnly, network: [...cpuOnly.network, physical('eno1', a)] }, PRODUCT).machineCode;
    const codeB = fingerprintFromSnapshot({ ...cpuOnly, network: [...cpuOnly.network, physical('eno1', b)] }, PRODUCT).machineCode;
    expect(codeA).not.toBe(codeB);
  });

  test.prop([fc.boolean(), fc.nat()])('the MAC-based code survives Wi-Fi off, a reorder and new virtual interfaces', (up, rotate) => {
    const snapshot = loadSnapshot('container-host-network').snapshot;
    const network = snapshot.network.map((n) => ({ ...n, up }));
    const rotated = [...network.slice(rotate % network.length), ...network.slice(0, rotate % network.length)];
    rotated.push({ name: 'docker0', mac: '02:42:8c:1d:3e:4f', physical: false, permanent: false, up: true });
    expect(fingerprintFromSnapshot({ ...snapshot, network: rotated }, PRODUCT).machineCode).toBe(fingerprintFromSnapshot(snapshot, PRODUCT).machineCode);
  });
});

describe('basis selection over every fixture', () => {
  const arbReading = (value: unknown) => fc.constantFrom(value, { missing: 'absent' }, { missing: 'no-permission' });
  const arbMasked = fc.constantFrom(...SNAPSHOT_NAMES.map((name) => loadSnapshot(name).snapshot)).chain((s) =>
    fc.record({
      base: fc.constant(s),
      systemUuid: arbReading(s.systemUuid),
      systemSerial: arbReading(s.systemSerial),
      boardSerial: arbReading(s.boardSerial),
      diskSerial: arbReading(s.diskSerial),
      osInstallId: arbReading(s.osInstallId),
      dropNetwork: fc.boolean(),
    }),
  );

  test.prop([arbMasked])('the basis is the first readable identifying component any user can read, never the CPU; none readable is an error', (m) => {
    const { base, dropNetwork, ...readings } = m;
    const snapshot = { ...base, ...readings, network: dropNetwork ? [] : base.network } as MachineSnapshot;
    let components;
    let basis: readonly ComponentName[] = [];
    try {
      const fp = fingerprintFromSnapshot(snapshot, PRODUCT);
      components = fp.components;
      basis = fp.machineCodeBasis;
    } catch (error) {
      if (!(error instanceof MachineCodeUnavailableError)) throw error;
      components = error.components;
    }
    const expected = MACHINE_CODE_ORDER.find((name) => !isPrivilegedComponent(snapshot.platform, name) && components.find((c) => c.name === name)?.status === 'ok');
    expect(basis).toEqual(expected === undefined ? [] : [expected]);
    expect(basis).not.toContain('cpu');
  });

  test.prop([fc.constantFrom(...CODED_SNAPSHOT_NAMES), fc.oneof(fc.constant({ missing: 'unreadable' as const }), fc.record({ vendor: arbSerial, model: arbSerial, family: fc.constant('6'), modelNumber: fc.constant('1'), stepping: fc.constant('0') }))])(
    'replacing or losing the CPU never changes the machine code',
    (name, cpu) => {
      const { snapshot } = loadSnapshot(name);
      const before = fingerprintFromSnapshot(snapshot, PRODUCT);
      const after = fingerprintFromSnapshot({ ...snapshot, cpu }, PRODUCT);
      expect(after.machineCode).toBe(before.machineCode);
      expect(after.machineCodeBasis).toEqual(before.machineCodeBasis);
    },
  );
});
