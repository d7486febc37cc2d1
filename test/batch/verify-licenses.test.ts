/**
 * `verifyLicenses`: item i of a batch is exactly what `verifyLicense` says for
 * input i (a verdict, or the error it would reject with), on every golden
 * fixture and on any mix of fixtures and garbage; shared problems (options,
 * key) reject the whole call; and the node backend's parallel path (worker
 * threads) agrees with the synchronous one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { FIXTURES_DIR, type FixtureExpectation } from '../../scripts/make-fixtures.ts';
import * as browserEntry from '../../src/index.ts';
import { nodeBackend, verifyLicense, verifyLicenses, type BatchResult, type VerifyOptions } from '../../src/index.node.ts';
import { encodeUtf8 } from '../../src/lib/bytes.ts';
import { importPublicKey } from '../../src/keys/import.ts';
import { crashParallelWorkers, parallelPoolStats } from '../../src/backends/node-parallel.ts';

const manifest = JSON.parse(readFileSync(join(FIXTURES_DIR, 'licenses', 'manifest.json'), 'utf8')) as FixtureExpectation[];
const read = (...p: string[]): string => readFileSync(join(FIXTURES_DIR, ...p), 'utf8');
const texts = new Map(manifest.map((m) => [m.file, read('licenses', m.file)]));
const VENDOR_KEY = read('keys', 'vendor-rsa2048.public.xml');
const ON_A: VerifyOptions = { key: VENDOR_KEY, now: new Date('2026-06-01T00:00:00Z'), machineCode: 'MACHINE-A', productId: 1001, requireFeatures: [1] };

/** What `verifyLicense` says for one input, in the batch's shape. */
async function single(input: unknown, options: VerifyOptions, verify = verifyLicense): Promise<BatchResult> {
  try {
    return { ok: true, verdict: await verify(input as string, options) };
  } catch (error) {
    const e = error as Error & { code?: string };
    return { ok: false, error: { code: (e.code ?? (e instanceof TypeError ? 'ERR_INPUT_TYPE' : 'ERR_UNEXPECTED')) as never, name: e.name, message: e.message, cause: error } };
  }
}

/** Batch and one-by-one answers, compared without the thrown objects themselves. */
function comparable(results: readonly BatchResult[]): unknown[] {
  return results.map((r) => (r.ok ? r : { ok: false, code: r.error.code, name: r.error.name, message: r.error.message }));
}

const garbage = [
  '',
  'not json',
  '{"licenseKey":"AAAA","signature":"!!!"}',
  '{"licenseKey":"","signature":""}',
  42,
  null,
  { licenseKey: 'x' },
  Uint8Array.of(0xff, 0xfe, 0x00),
  encodeUtf8(texts.get('valid.skm')!),
  'x'.repeat(2 * 1024 * 1024),
] as const;

describe('verifyLicenses on the golden fixtures', () => {
  // The manifest's entries grouped by their shared options: one batch per group.
  const groups = new Map<string, FixtureExpectation[]>();
  for (const m of manifest) {
    const id = JSON.stringify([m.key, m.now, m.options]);
    groups.set(id, [...(groups.get(id) ?? []), m]);
  }

  test.each([...groups.values()].map((ms) => [ms.map((m) => m.file).join(', '), ms] as const))('%s', async (_, ms) => {
    const first = ms[0]!;
    const options: VerifyOptions = { key: read('keys', first.key), now: new Date(first.now), ...first.options };
    const inputs = ms.map((m) => texts.get(m.file)!);
    const results = await verifyLicenses(inputs, options);
    expect(comparable(results)).toEqual(comparable(await Promise.all(inputs.map((t) => single(t, options)))));
    ms.forEach((m, i) => {
      const r = results[i]!;
      expect(r.ok, m.file).toBe(true);
      if (!r.ok) return;
      expect([r.verdict.valid, [...r.verdict.reasons].sort(), r.verdict.warnings], m.file).toEqual([m.valid, [...m.reasons].sort(), m.warnings]);
      expect(r.verdict.backend).toBe('node');
    });
  });

  test('every fixture and every kind of garbage in one batch: each slot is what verifyLicense says', async () => {
    const inputs = [...garbage, ...texts.values(), ...garbage].reverse();
    const results = await verifyLicenses(inputs as never, ON_A);
    expect(results).toHaveLength(inputs.length);
    expect(comparable(results)).toEqual(comparable(await Promise.all(inputs.map((t) => single(t, ON_A)))));
    const codes = results.flatMap((r) => (r.ok ? [] : [r.error.code]));
    expect(new Set(codes)).toEqual(new Set(['ERR_INPUT_EMPTY', 'ERR_INPUT_NOT_JSON', 'ERR_BASE64_INVALID', 'ERR_INPUT_TYPE', 'ERR_INPUT_TOO_LARGE', 'ERR_ENVELOPE_INVALID']));
    for (const r of results) if (!r.ok) expect(r.error.cause).toBeInstanceOf(Error);
  });

  test('the browser entry (WebCrypto) answers the same as the node entry', async () => {
    const inputs = [...texts.values(), ...garbage];
    const viaNode = await verifyLicenses(inputs as never, ON_A);
    const viaWeb = await browserEntry.verifyLicenses(inputs as never, ON_A);
    const strip = (rs: BatchResult[]): unknown[] => comparable(rs).map((r) => ((r as BatchResult).ok ? { ...(r as { verdict: object }).verdict, backend: 'any' } : r));
    expect(strip(viaWeb)).toEqual(strip(viaNode));
    expect(viaWeb.some((r) => r.ok && r.verdict.backend === 'webcrypto')).toBe(true);
  });
});

describe('verifyLicenses: property', () => {
  const fixtureText = fc.constantFrom(...texts.values());
  const tampered = fc.tuple(fixtureText, fc.nat(), fc.integer({ min: 1, max: 25 })).map(([t, at, by]) => {
    const i = at % t.length;
    return t.slice(0, i) + String.fromCharCode(((t.charCodeAt(i) - 32 + by) % 95) + 32) + t.slice(i + 1);
  });
  const input = fc.oneof(
    { weight: 4, arbitrary: fixtureText },
    { weight: 2, arbitrary: tampered },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(42, null, undefined, {}, []) },
  );

  fcTest.prop([fc.array(input, { maxLength: 80 })], { numRuns: 25 })('batch[i] equals verifyLicense(inputs[i])', async (inputs) => {
    const results = await verifyLicenses(inputs as never, ON_A);
    expect(comparable(results)).toEqual(comparable(await Promise.all(inputs.map((t) => single(t, ON_A)))));
  });
});

describe('verifyLicenses: what the items share', () => {
  test('an empty list gives an empty answer', async () => {
    expect(await verifyLicenses([], ON_A)).toEqual([]);
  });

  test('any iterable works, and answers come in input order', async () => {
    const list = ['valid.skm', 'tampered-expires.skm', 'expired.skm'].map((f) => texts.get(f)!);
    const results = await verifyLicenses(new Set(list), ON_A);
    expect(results.map((r) => r.ok && r.verdict.reasons)).toEqual([[], ['SIGNATURE_INVALID'], ['EXPIRED']]);
  });

  test.each([
    ['a malformed key', { ...ON_A, key: '<RSAKeyValue><Modulus>AQAB</Modulus></RSAKeyValue>' }, 'KeyError', 'ERR_KEY_INVALID'],
    ['a private key', { ...ON_A, key: read('keys', 'vendor-rsa2048.private.pem') }, 'KeyError', 'ERR_KEY_PRIVATE'],
    ['a certificate', { ...ON_A, key: read('keys', 'certificate.pem') }, 'KeyError', 'ERR_KEY_CERTIFICATE'],
    ['an Invalid Date', { ...ON_A, now: new Date(Number.NaN) }, 'OptionError', 'ERR_OPTION_INVALID'],
  ] as const)('%s rejects the whole call, as verifyLicense would', async (_, options, name, code) => {
    const inputs = [texts.get('valid.skm')!, 'garbage'];
    const batch = verifyLicenses(inputs, options as VerifyOptions);
    await expect(batch).rejects.toMatchObject({ name, code });
    await expect(verifyLicense(inputs[0]!, options as VerifyOptions)).rejects.toMatchObject({ name, code });
  });

  test('option misuse rejects the whole call with ERR_OPTION_INVALID; a list that is not iterable with a TypeError', async () => {
    for (const options of [null, {}, { ...ON_A, maxInputBytes: 0 }]) {
      await expect(verifyLicenses([texts.get('valid.skm')!], options as never)).rejects.toMatchObject({ name: 'OptionError', code: 'ERR_OPTION_INVALID' });
    }
    await expect(verifyLicenses(42 as never, ON_A)).rejects.toBeInstanceOf(TypeError);
    await expect(verifyLicenses(texts.get('valid.skm')! as never, ON_A)).rejects.toBeInstanceOf(TypeError);
  });

  test('an imported key, a JWK object and the XML text give the same verdicts', async () => {
    const inputs = [...texts.values()];
    const byXml = await verifyLicenses(inputs, ON_A);
    const byKey = await verifyLicenses(inputs, { ...ON_A, key: importPublicKey(VENDOR_KEY) });
    const byJwk = await verifyLicenses(inputs, { ...ON_A, key: JSON.parse(read('keys', 'vendor-rsa2048.public.jwk.json')) as Record<string, unknown> });
    expect(comparable(byKey)).toEqual(comparable(byXml));
    expect(comparable(byJwk)).toEqual(comparable(byXml));
  });

  test('without `now`, every verdict of a batch has the same time', async () => {
    const { now: _now, ...noClock } = ON_A;
    const results = await verifyLicenses(Array.from({ length: 40 }, () => texts.get('valid.skm')!), noClock);
    const times = new Set(results.map((r) => (r.ok ? r.verdict.now.getTime() : Number.NaN)));
    expect(times.size).toBe(1);
  });

  test('byte inputs changed by the caller after the call do not change the answers', async () => {
    const bytes = Array.from({ length: 100 }, () => encodeUtf8(texts.get('valid.skm')!));
    const pending = verifyLicenses(bytes, ON_A);
    for (const b of bytes) b.fill(0x20);
    const results = await pending;
    expect(results.every((r) => r.ok && r.verdict.valid)).toBe(true);
  });
});

describe('node backend verifyParallel (worker threads, calling thread helping)', () => {
  const key = importPublicKey(VENDOR_KEY);
  const envelope = JSON.parse(texts.get('valid.skm')!) as { licenseKey: string; signature: string };
  const data = new Uint8Array(Buffer.from(envelope.licenseKey, 'base64'));
  const signature = new Uint8Array(Buffer.from(envelope.signature, 'base64'));

  test('once a worker is online, the workers do most of a large batch, and their answers are right', async () => {
    const inputs = Array.from({ length: 512 }, (_, i) => (i % 5 === 2 ? texts.get('tampered-expires.skm')! : texts.get('valid.skm')!));
    const expected = inputs.map((t) => t === texts.get('valid.skm'));
    const deadline = Date.now() + 20_000;
    while (parallelPoolStats().workersOnline === 0 && Date.now() < deadline) {
      await verifyLicenses(inputs.slice(0, 64), ON_A);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(parallelPoolStats().workersOnline).toBeGreaterThan(0);
    const before = parallelPoolStats();
    const results = await verifyLicenses(inputs, ON_A);
    const after = parallelPoolStats();
    expect(results.map((r) => r.ok && r.verdict.valid)).toEqual(expected);
    expect(after.inWorkers - before.inWorkers).toBeGreaterThan(0);
    expect(after.inWorkers - before.inWorkers + after.here - before.here).toBe(inputs.length);
  });

  test('agrees with verifySync on 600 checks, good and bad interleaved (chunks map back to their jobs)', async () => {
    const cases = Array.from({ length: 600 }, (_, i) => {
      const d = data.slice();
      const s = signature.slice();
      if (i % 7 === 3) d[i % d.length] = d[i % d.length]! ^ 1;
      if (i % 11 === 5) s[i % s.length] = s[i % s.length]! ^ 0x80;
      if (i % 13 === 1) return { d, s: s.subarray(1) }; // wrong length: false, not an error
      return { d, s };
    });
    const answers = await Promise.all(cases.map((c) => nodeBackend.verifyParallel!('RS256', key, c.d, c.s)));
    expect(answers).toEqual(cases.map((c) => nodeBackend.verifySync!('RS256', key, c.d, c.s)));
    expect(answers.filter(Boolean).length).toBeGreaterThan(400);
  });

  test('buffers changed after the call do not change the answer', async () => {
    const d = data.slice();
    const s = signature.slice();
    const pending = Array.from({ length: 64 }, () => nodeBackend.verifyParallel!('RS256', key, d, s));
    d.fill(0);
    s.fill(0);
    expect(await Promise.all(pending)).toEqual(Array.from({ length: 64 }, () => true));
  });

  test('a key for another algorithm is false; an unknown algorithm is misuse and rejects', async () => {
    const ed = importPublicKey(read('keys', 'ed25519.public.pem'));
    expect(await nodeBackend.verifyParallel!('RS256', ed, data, signature)).toBe(false);
    await expect(nodeBackend.verifyParallel!('ES256' as never, key, data, signature)).rejects.toMatchObject({ code: 'ERR_ALGORITHM_UNSUPPORTED' });
  });

  test('the calling thread takes checks back one slice at a time: every check of a chunk is answered once, by whoever took it', async () => {
    const cases = Array.from({ length: 301 }, (_, i) => {
      const d = data.slice();
      if (i % 4 === 1) d[i % d.length] = d[i % d.length]! ^ 1;
      return d;
    });
    const expected = cases.map((d) => nodeBackend.verifySync!('RS256', key, d, signature));
    for (let round = 0; round < 5; round++) {
      const before = parallelPoolStats();
      const answers = await Promise.all(cases.map((d) => nodeBackend.verifyParallel!('RS256', key, d, signature)));
      const after = parallelPoolStats();
      expect(answers).toEqual(expected);
      expect(after.inWorkers - before.inWorkers + after.here - before.here).toBe(cases.length);
    }
  });

  // Last: after a crash this process verifies on the calling thread only.
  test('workers that die mid-batch lose nothing: the checks they took or had not reached are verified here', async () => {
    const inputs = Array.from({ length: 400 }, (_, i) => (i % 3 === 0 ? texts.get('tampered-expires.skm')! : texts.get('valid.skm')!));
    const deadline = Date.now() + 20_000;
    while (parallelPoolStats().workersOnline === 0 && Date.now() < deadline) {
      await verifyLicenses(inputs.slice(0, 64), ON_A);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(parallelPoolStats().workersOnline).toBeGreaterThan(0);
    const before = parallelPoolStats();
    const pending = verifyLicenses(inputs, ON_A); // every license is parsed and its chunk sent before this returns
    // Let the calling thread take a few checks back from the chunks' ends, and a few of the answers a worker publishes
    // as it goes (before its chunk's message), first: the crash leaves chunks split three ways, answered from the
    // front, unanswered, taken from the back.
    for (let turn = 0; turn < 200 && (parallelPoolStats().here === before.here || parallelPoolStats().inWorkers === before.inWorkers); turn++) {
      await new Promise((r) => setImmediate(r));
    }
    crashParallelWorkers();
    const results = await pending;
    const after = parallelPoolStats();
    expect(results.map((r) => r.ok && r.verdict.valid)).toEqual(inputs.map((_, i) => i % 3 !== 0));
    expect(after.inWorkers - before.inWorkers + after.here - before.here).toBe(inputs.length);
    // The calling thread takes the workers' answers as they are published, so the batch may be complete before the
    // workers' exit is reported: wait for it, then no worker is started again.
    for (let turn = 0; turn < 200 && parallelPoolStats().workersOnline > 0; turn++) await new Promise((r) => setTimeout(r, 10));
    expect(parallelPoolStats().workersOnline).toBe(0);
    expect((await verifyLicenses(inputs.slice(0, 50), ON_A)).every((r, i) => r.ok && r.verdict.valid === (i % 3 !== 0))).toBe(true);
    expect((await verifyLicenses(inputs, ON_A)).every((r, i) => r.ok && r.verdict.valid === (i % 3 !== 0))).toBe(true);
    expect(parallelPoolStats().workersOnline).toBe(0);
  });
});
