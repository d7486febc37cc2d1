import { describe, expect, test } from 'vitest';
import {
  fingerprintFromSnapshot,
  matchFingerprint,
  MAX_RECORDED_LENGTH,
  parseRecordedFingerprint,
  parseSnapshot,
  recordFingerprint,
  serializeFingerprint,
} from '../../src/fingerprint/index.ts';
import { loadSnapshot } from './fixtures.ts';

const HASH = 'a'.repeat(32);

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code ?? (error as Error).name;
  }
  return undefined;
}

describe('recorded fingerprint format', () => {
  test('round-trips through JSON', () => {
    const recorded = recordFingerprint(fingerprintFromSnapshot(loadSnapshot('linux-server').snapshot, 'acme-cad'));
    const text = serializeFingerprint(recorded);
    expect(parseRecordedFingerprint(text)).toEqual(recorded);
    expect(JSON.parse(text).v).toBe(2);
    expect(typeof JSON.parse(text).components['system-uuid']).toBe('string');
    expect(JSON.parse(text).components.mac).toHaveLength(2);
    expect(text.length).toBeLessThan(600);
  });

  test.each([
    ['not JSON', '{'],
    ['an array', '[]'],
    ['null', 'null'],
    ['wrong version', JSON.stringify({ v: 3, components: {} })],
    ['version 1 (unstretched hashes)', JSON.stringify({ v: 1, components: { 'os-install-id': HASH } })],
    ['missing components', JSON.stringify({ v: 1 })],
    ['unknown field', JSON.stringify({ v: 1, components: {}, extra: 1 })],
    ['unknown component', JSON.stringify({ v: 1, components: { hostname: HASH } })],
    ['__proto__ component', '{"v":1,"components":{"__proto__":"' + HASH + '"}}'],
    ['upper-case hash', JSON.stringify({ v: 1, components: { cpu: HASH.toUpperCase() } })],
    ['short hash', JSON.stringify({ v: 1, components: { cpu: 'abc' } })],
    ['empty hash list', JSON.stringify({ v: 1, components: { mac: [] } })],
    ['repeated hash', JSON.stringify({ v: 1, components: { mac: [HASH, HASH] } })],
    ['too many hashes', JSON.stringify({ v: 1, components: { mac: Array.from({ length: 17 }, (_, i) => i.toString(16).padStart(32, '0')) } })],
    ['number hash', JSON.stringify({ v: 1, components: { cpu: 5 } })],
    ['too long', ' '.repeat(MAX_RECORDED_LENGTH + 1)],
  ])('rejects %s with ERR_FINGERPRINT_INVALID', (_, input) => {
    expect(code(() => parseRecordedFingerprint(input))).toBe('ERR_FINGERPRINT_INVALID');
  });

  test('matchFingerprint rejects a malformed recorded fingerprint and a bad policy', () => {
    const current = fingerprintFromSnapshot(loadSnapshot('linux-server').snapshot, 'acme-cad');
    expect(code(() => matchFingerprint('{"v":1,"components":{"cpu":"x"}}', current))).toBe('ERR_FINGERPRINT_INVALID');
    expect(code(() => matchFingerprint(current, current, { threshold: 0 }))).toBe('RangeError');
    expect(code(() => matchFingerprint(current, current, { threshold: Number.NaN }))).toBe('RangeError');
    expect(code(() => matchFingerprint(current, current, { mode: 'some' as never }))).toBe('RangeError');
    expect(code(() => matchFingerprint(current, current, { weights: { cpu: -1 } }))).toBe('RangeError');
  });

  test('an empty recorded fingerprint never matches (too weak to bind anything)', () => {
    const current = fingerprintFromSnapshot(loadSnapshot('linux-server').snapshot, 'acme-cad');
    expect(matchFingerprint({ v: 2, components: {} }, current)).toMatchObject({ matched: false, reason: 'recorded-too-weak' });
  });
});

describe('snapshot validation', () => {
  const good = loadSnapshot('linux-server').snapshot;
  test.each([
    ['not an object', 42],
    ['wrong version', { ...good, v: 2 }],
    ['bad reading', { ...good, systemUuid: 5 }],
    ['bad missing reason', { ...good, systemUuid: { missing: 'gone' } }],
    ['network not an array', { ...good, network: {} }],
    ['interface without mac', { ...good, network: [{ name: 'eth0' }] }],
    ['non-boolean flag', { ...good, network: [{ name: 'eth0', mac: '00:1b:21:3a:4f:10', up: 'yes' }] }],
    ['oversized value', { ...good, systemSerial: 'x'.repeat(2000) }],
  ])('rejects %s', (_, input) => {
    expect(code(() => parseSnapshot(input))).toBe('ERR_FINGERPRINT_INVALID');
    expect(code(() => fingerprintFromSnapshot(input, 'acme-cad'))).toBe('ERR_FINGERPRINT_INVALID');
  });

  test('product salt misuse is a TypeError or RangeError', () => {
    expect(code(() => fingerprintFromSnapshot(good, '' as string))).toBe('RangeError');
    expect(code(() => fingerprintFromSnapshot(good, 7 as unknown as string))).toBe('TypeError');
  });
});

describe('matching modes', () => {
  const server = fingerprintFromSnapshot(loadSnapshot('linux-server').snapshot, 'acme-cad');
  const swapped = fingerprintFromSnapshot(loadSnapshot('linux-server-disk-swap').snapshot, 'acme-cad');
  const unprivileged = fingerprintFromSnapshot(loadSnapshot('linux-server-unprivileged').snapshot, 'acme-cad');
  test('all fails when one component differs or is unknown; any, two and most pass', () => {
    expect(matchFingerprint(server, swapped, { mode: 'all' })).toMatchObject({ matched: false, reason: 'below-threshold' });
    expect(matchFingerprint(server, unprivileged, { mode: 'all' })).toMatchObject({ matched: false, reason: 'below-threshold' });
    expect(matchFingerprint(server, server, { mode: 'all' }).matched).toBe(true);
    for (const mode of ['any', 'two', 'most'] as const) expect(matchFingerprint(server, swapped, { mode }).matched, mode).toBe(true);
  });
  test('a threshold of 1 refuses a disk swap that the default accepts', () => {
    expect(matchFingerprint(server, swapped).score).toBeCloseTo(85 / 100);
    expect(matchFingerprint(server, swapped, { threshold: 1 })).toMatchObject({ matched: false, reason: 'below-threshold' });
  });
  test('a weight of 0 ignores a component', () => {
    const result = matchFingerprint(server, swapped, { mode: 'all', weights: { 'disk-serial': 0 } });
    expect(result.matched).toBe(true);
    expect(result.components.map((c) => c.name)).not.toContain('disk-serial');
  });
});
