import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import {
  fingerprintFromSnapshot,
  MachineCodeUnavailableError,
  matchFingerprint,
  recordFingerprint,
  serializeFingerprint,
  type Fingerprint,
  type FingerprintComponent,
} from '../../src/fingerprint/index.ts';
import { loadScenarios, loadSnapshot, SNAPSHOT_NAMES } from './fixtures.ts';

const PRODUCT = 'acme-cad';

describe('recorded snapshots', () => {
  test('every snapshot file in fixtures/fingerprints is covered', () => {
    const files = readdirSync(fileURLToPath(new URL('../../fixtures/fingerprints/', import.meta.url)))
      .filter((f) => f.endsWith('.json') && f !== 'scenarios.json')
      .map((f) => f.replace(/\.json$/, ''))
      .sort();
    expect(files).toEqual([...SNAPSHOT_NAMES].sort());
  });

  test.each(SNAPSHOT_NAMES)('%s: component statuses, machine code basis and environment', (name) => {
    const fixture = loadSnapshot(name);
    const expected = fixture.expect.machineCodeBasis;
    let fp: { readonly components: readonly FingerprintComponent[]; readonly environment: unknown };
    if (Array.isArray(expected)) {
      const full = fingerprintFromSnapshot(fixture.snapshot, PRODUCT);
      expect(full.machineCode).toMatch(/^[0-9A-F]{64}$/);
      expect(full.machineCodeBasis).toEqual(expected);
      fp = full;
    } else {
      const error = (() => {
        try {
          fingerprintFromSnapshot(fixture.snapshot, PRODUCT);
        } catch (e) {
          return e;
        }
        throw new Error(`${name}: expected ${expected.error}, got a machine code`);
      })();
      expect(error).toBeInstanceOf(MachineCodeUnavailableError);
      expect((error as MachineCodeUnavailableError).code).toBe(expected.error);
      fp = error as MachineCodeUnavailableError;
    }
    for (const [component, status] of Object.entries(fixture.expect.status)) {
      expect(fp.components.find((c) => c.name === component)?.status, `${name}: ${component}`).toBe(status);
    }
    if (fixture.expect.macCount !== undefined) {
      expect(fp.components.find((c) => c.name === 'mac')?.hashes).toHaveLength(fixture.expect.macCount);
    }
    expect(fp.environment).toMatchObject(fixture.expect.environment);
    for (const component of fp.components) {
      expect(component.hashes.length > 0, `${name}: ${component.name}`).toBe(component.status === 'ok');
    }
  });
});

describe('scenarios: activation snapshot vs later snapshot', () => {
  test.each(loadScenarios().map((s) => [s.name, s] as const))('%s', (_, scenario) => {
    const activation = fingerprintFromSnapshot(loadSnapshot(scenario.activation).snapshot, PRODUCT);
    const later = fingerprintFromSnapshot(loadSnapshot(scenario.later).snapshot, PRODUCT);
    let stored: string | Fingerprint;
    if (scenario.expect.recordError === undefined) stored = serializeFingerprint(recordFingerprint(activation));
    else {
      // Too weak to record: refused with a typed error, and refused again if the full fingerprint is matched anyway.
      expect(() => recordFingerprint(activation)).toThrow(expect.objectContaining({ code: scenario.expect.recordError }));
      stored = activation;
    }
    const result = matchFingerprint(stored, later, scenario.policy);
    if (scenario.expect.score !== undefined) expect(result.score).toBeCloseTo(scenario.expect.score, 10);
    expect(result.reason).toBe(scenario.expect.reason);
    expect(result.matched).toBe(scenario.expect.matched);
    expect([...result.mismatchedComponents].sort()).toEqual([...scenario.expect.mismatched].sort());
    expect([...result.unknownComponents].sort()).toEqual([...scenario.expect.unknown].sort());
    expect(later.machineCode === activation.machineCode).toBe(scenario.expect.sameMachineCode);
    // Matching the full fingerprint or its stored form gives the same verdict.
    expect(matchFingerprint(activation, later, scenario.policy)).toEqual(result);
  });

  test('the stored form of a real fingerprint leaks no raw serial, UUID or MAC', () => {
    for (const name of SNAPSHOT_NAMES) {
      const { snapshot } = loadSnapshot(name);
      let stored: string;
      try {
        // The weakest allowed recording, so that fixtures too weak to record by default are covered as well.
        stored = serializeFingerprint(recordFingerprint(fingerprintFromSnapshot(snapshot, PRODUCT), { minimumWeight: 1, requireHardware: false })).toUpperCase();
      } catch (error) {
        if (!(error instanceof MachineCodeUnavailableError)) throw error;
        stored = `${error.message} ${JSON.stringify(error.components)}`.toUpperCase();
      }
      const raw = [snapshot.systemUuid, snapshot.systemSerial, snapshot.boardSerial, snapshot.diskSerial, snapshot.osInstallId, ...snapshot.network.map((n) => n.mac)];
      for (const value of raw) {
        if (typeof value !== 'string') continue;
        const compact = value.replace(/[^0-9A-Za-z]/g, '').toUpperCase();
        if (compact.length >= 6) expect(stored, `${name}: ${value}`).not.toContain(compact);
      }
    }
  });
});
