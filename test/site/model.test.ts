/**
 * The inspector page's pure parts, in Node: the form read into verify options
 * the way the CLI reads its flags, the key field read as one key or a ring,
 * file bytes kept as text or as bytes, and the timeline's sentences (what a
 * support person reads: "expired 3 days ago", "older than the 30 days allowed",
 * "the clock may be 2 years behind"). Dates are fast-checked against the CLI's rule.
 */
import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { fileAsText, keyFromText, parseIsoDate, readForm, type FormValues } from '../../site/inputs.ts';
import { duration, relative, timelineModel } from '../../site/timeline.ts';
import { inspectLicense } from '../../src/index.node.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES_DIR } from '../../scripts/make-fixtures.ts';

const EMPTY: FormValues = {
  now: '', tolerance: '', machineCode: '', productId: '', requireFeatures: '', featureNames: '', timeLimitedFeature: '', trialFeature: '',
  maxSignatureAgeDays: '', graceDays: '', allowOverdraft: false, licenseeSecret: '', keygenLicenseKey: '', keygenFingerprint: '', backend: '',
};
const DAY = 86_400_000;

describe('the form', () => {
  test('empty fields are absent options; the clock is left to the page', () => {
    expect(readForm(EMPTY)).toEqual({ now: null, options: {}, errors: [] });
  });

  test('every field maps to the option the CLI flag sets', () => {
    const r = readForm({
      ...EMPTY, now: '2026-06-01T00:00:00Z', tolerance: '5', machineCode: ' MACHINE-A ', productId: '1001', requireFeatures: '1, Pro F3',
      featureNames: 'Pro=1 Export=F4', timeLimitedFeature: 'F2', trialFeature: '3', maxSignatureAgeDays: '30', graceDays: '7', allowOverdraft: true,
      licenseeSecret: ' s3cret ', keygenLicenseKey: 'KEY-1', keygenFingerprint: 'fp', backend: 'purejs',
    });
    expect(r.errors).toEqual([]);
    expect(r.now?.toISOString()).toBe('2026-06-01T00:00:00.000Z');
    expect(r.options).toEqual({
      clockToleranceSeconds: 5, machineCode: 'MACHINE-A', productId: 1001, requireFeatures: [1, 'Pro', 'F3'],
      product: { featureNames: { Pro: 1, Export: 4 }, timeLimitedFeature: 2, trialFeature: 3 },
      maxSignatureAgeDays: 30, graceDays: 7, allowOverdraft: true, licenseeSecret: ' s3cret ', licenseKey: 'KEY-1', fingerprint: 'fp', backend: 'purejs',
    });
    expect(readForm({ ...EMPTY, productId: 'acme-cad' }).options).toEqual({ productId: 'acme-cad' });
  });

  test('bad fields are errors naming the field, never silently dropped', () => {
    const r = readForm({ ...EMPTY, now: 'yesterday', tolerance: '-1', requireFeatures: '9', featureNames: 'Pro', timeLimitedFeature: 'F9', graceDays: '1.5' });
    expect(r.errors.map((e) => e.field).sort()).toEqual(['featureNames', 'graceDays', 'now', 'requireFeatures', 'timeLimitedFeature', 'tolerance']);
    expect(parseIsoDate('2026-02-30')).toBeNull();
    expect(parseIsoDate('2026-06-01T25:00Z')).toBeNull();
  });

  fcTest.prop([fc.date({ noInvalidDate: true, min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z') })])('a date written as ISO 8601 reads back to the same instant (a time without a zone is UTC)', (d) => {
    const iso = d.toISOString();
    expect(parseIsoDate(iso)?.getTime()).toBe(d.getTime());
    expect(parseIsoDate(iso.slice(0, 19))?.getTime()).toBe(Math.floor(d.getTime() / 1000) * 1000);
  });

  test('the key field: one key as typed, several PEM or XML keys as a ring, a JSON array as a ring', () => {
    const pem = readFileSync(join(FIXTURES_DIR, 'keys', 'vendor-ed25519.public.pem'), 'utf8');
    const other = readFileSync(join(FIXTURES_DIR, 'keys', 'other-ed25519.public.pem'), 'utf8');
    expect(keyFromText(`  ${pem}  `)).toBe(pem.trim());
    expect(keyFromText(`${pem}\n${other}`)).toEqual([pem.trim(), other.trim()]);
    expect(keyFromText('<RSAKeyValue>a</RSAKeyValue>\n<RSAKeyValue>b</RSAKeyValue>')).toEqual(['<RSAKeyValue>a</RSAKeyValue>', '<RSAKeyValue>b</RSAKeyValue>']);
    expect(keyFromText('[{"kty":"OKP"}]')).toEqual([{ kty: 'OKP' }]);
    expect(keyFromText('{"keys":[]}')).toBe('{"keys":[]}');
    expect(keyFromText(' \n')).toBeNull();
  });

  test('a dropped file is text when it is clean UTF-8, else bytes (a binary COSE license)', () => {
    expect(fileAsText(new TextEncoder().encode('-----BEGIN LICENSEKIT LICENSE-----\r\nAA==\n'))).toBe('-----BEGIN LICENSEKIT LICENSE-----\r\nAA==\n');
    expect(fileAsText(new Uint8Array(readFileSync(join(FIXTURES_DIR, 'licenses', 'native', 'valid-binary.lic'))))).toBeNull();
    expect(fileAsText(new Uint8Array([0x7b, 0x00, 0x7d]))).toBeNull();
    expect(fileAsText(new Uint8Array([0xff, 0xfe]))).toBeNull();
  });
});

describe('the timeline', () => {
  const native = (name: string) => inspectLicense(readFileSync(join(FIXTURES_DIR, 'licenses', 'native', name), 'utf8')).license!;

  test('durations in words', () => {
    expect([duration(30_000), duration(5 * 60_000), duration(3 * DAY), duration(200 * DAY), duration(2 * 365.25 * DAY)]).toEqual(['30 seconds', '5 minutes', '3 days', '7 months', '2 years']);
    expect([relative(0, 3 * DAY), relative(4 * DAY, DAY), relative(5, 5)]).toEqual(['3 days ago', 'in 3 days', 'now']);
  });

  test('"expired three days ago", with grace, not-before and the marks in time order', () => {
    const l = native('expired.lic'); // exp 2026-03-01
    const nowMs = Date.parse('2026-03-04T00:00:00Z');
    const t = timelineModel(l, { nowMs });
    expect(t.facts[0]).toBe('Expired 3 days ago.');
    expect(t.marks.map((m) => m.kind)).toEqual(['signed', 'expires', 'now']);
    expect(t.bands).toEqual([{ kind: 'valid', label: 'valid', from: l.signDate!.getTime(), to: l.expires!.getTime(), holdsNow: false }]);
    const graced = timelineModel(l, { nowMs, graceDays: 7 });
    expect(graced.facts[0]).toBe('Expired 3 days ago; in its grace period until in 4 days.');
    expect(graced.bands.map((b) => [b.kind, b.holdsNow])).toEqual([['valid', false], ['grace', true]]);
    expect(timelineModel(native('not-yet-valid.lic'), { nowMs: Date.parse('2026-06-01T00:00:00Z') }).facts).toContain('Not valid yet: it starts in 30 days.');
  });

  test('"the signature is older than the 30 days allowed" and "the clock is two years behind"', () => {
    const l = native('valid.lic'); // signed 2026-01-15T10:00Z
    const signed = l.signDate!.getTime();
    const late = timelineModel(l, { nowMs: signed + 45 * DAY, maxSignatureAgeDays: 30 });
    expect(late.facts).toContain('Signed 45 days ago: older than the 30 days allowed (the file had to be refreshed 15 days ago).');
    expect(late.marks.some((m) => m.kind === 'offline-end' && m.ms === signed + 30 * DAY)).toBe(true);
    const behind = timelineModel(l, { nowMs: signed - 2 * 365.25 * DAY });
    expect(behind.facts).toContain("Signed 2 years after the evaluation time: the customer's clock may be 2 years behind (or the file is forged).");
    // The license's own maximum offline age counts, the stricter of the two wins (as the rule does).
    const own = timelineModel({ ...l, maxSignatureAgeSeconds: 10 * 86_400 }, { nowMs: signed + 3 * DAY, maxSignatureAgeDays: 30 });
    expect(own.facts).toContain('Signed 3 days ago: within the 10 days allowed (refresh due in 7 days).');
  });
});
