/**
 * Cross-implementation agreement: keys made by any backend, signatures made by
 * any backend, verified by every backend. Tampering with one bit, or sending
 * garbage, must make every backend answer `false` without throwing. The golden
 * native licenses' COSE Sig_structures get the same answer from every backend.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { beforeAll, describe, expect } from 'vitest';
import type { SignatureBackend } from '../../src/backends/backend.ts';
import { ALL_BACKENDS, SIGNING_BACKENDS } from './all-backends.ts';
import { importJwk } from '../../src/keys/jwk.ts';
import { candidateKeys, importKeyRing } from '../../src/keys/ring.ts';
import { dearmor } from '../../src/formats/native/armor.ts';
import { parseCoseSign1 } from '../../src/formats/native/cose.ts';
import { FIXTURES_DIR, readFixtureLicense, readManifests } from '../../scripts/make-fixtures.ts';
import { keyFixtures, type KeyFixture } from './keys.ts';

let fixtures: KeyFixture[] = [];
beforeAll(async () => {
  fixtures = await keyFixtures(SIGNING_BACKENDS);
});

async function verdicts(fixture: KeyFixture, data: Uint8Array, signature: Uint8Array): Promise<Record<string, boolean | string>> {
  const out: Record<string, boolean | string> = {};
  for (const backend of ALL_BACKENDS) {
    try {
      out[backend.name] = await backend.verify(fixture.algorithm, fixture.publicKey, data, signature);
    } catch (error) {
      out[backend.name] = `threw ${String(error)}`;
    }
    if (backend.verifySync) {
      const sync = backend.verifySync(fixture.algorithm, fixture.publicKey, data, signature);
      if (sync !== out[backend.name]) out[`${backend.name} (sync)`] = sync;
    }
  }
  return out;
}

function all(value: boolean): Record<string, boolean> {
  return Object.fromEntries(ALL_BACKENDS.map((b) => [b.name, value]));
}

const indexes = { fixture: fc.nat(), signer: fc.nat() };
function pick<T>(items: readonly T[], index: number): T {
  return items[index % items.length]!;
}
function signer(index: number): SignatureBackend {
  return pick(SIGNING_BACKENDS, index);
}

describe('backend agreement', () => {
  test('every backend signs and generates keys', () => {
    expect(SIGNING_BACKENDS.map((b) => b.name)).toEqual(['node', 'webcrypto', 'purejs', 'forge']);
    expect(fixtures.map((f) => f.algorithm).sort()).toEqual([...Array(4).fill('EdDSA'), ...Array(4).fill('PS256'), ...Array(4).fill('RS256')]);
  });

  test.prop([fc.nat(), fc.nat(), fc.uint8Array({ maxLength: 300 })], { numRuns: 40 })(
    'a signature from any signer with any generator\'s key verifies on every backend',
    async (f, s, data) => {
      const fixture = pick(fixtures, f);
      const signature = await signer(s).sign!(fixture.algorithm, fixture.pair.privateJwk, data);
      expect(await verdicts(fixture, data, signature)).toEqual(all(true));
    },
  );

  test.prop([indexes.fixture, indexes.signer, fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.boolean(), fc.nat()], { numRuns: 40 })(
    'flipping one bit of the message or the signature makes every backend refuse',
    async (f, s, data, inSignature, bit) => {
      const fixture = pick(fixtures, f);
      const signature = await signer(s).sign!(fixture.algorithm, fixture.pair.privateJwk, data);
      const target = inSignature ? signature.slice() : data.slice();
      const at = bit % (target.length * 8);
      target[at >> 3]! ^= 1 << (at & 7);
      const result = inSignature ? await verdicts(fixture, data, target) : await verdicts(fixture, target, signature);
      expect(result).toEqual(all(false));
    },
  );

  test.prop([indexes.fixture, fc.uint8Array({ maxLength: 100 }), fc.oneof(fc.uint8Array({ maxLength: 600 }), fc.integer({ min: 0, max: 600 }).map((n) => new Uint8Array(n)), fc.constantFrom(new Uint8Array(64).fill(0xff), new Uint8Array(256).fill(0xff), new Uint8Array(256)))], { numRuns: 150 })(
    'garbage signatures of any length are refused by every backend, which never throws',
    async (f, data, garbage) => {
      const fixture = pick(fixtures, f);
      expect(await verdicts(fixture, data, garbage)).toEqual(all(false));
    },
  );

  test('a key bound to the other algorithm never verifies', async () => {
    const rsa = fixtures.find((x) => x.algorithm === 'RS256')!;
    const ed = fixtures.find((x) => x.algorithm === 'EdDSA')!;
    const data = Uint8Array.of(1, 2, 3);
    const edSig = await SIGNING_BACKENDS[0]!.sign!('EdDSA', ed.pair.privateJwk, data);
    for (const backend of ALL_BACKENDS) {
      expect(await backend.verify('RS256', ed.publicKey, data, edSig), backend.name).toBe(false);
      expect(await backend.verify('PS256', ed.publicKey, data, edSig), backend.name).toBe(false);
      expect(await backend.verify('EdDSA', rsa.publicKey, data, edSig), backend.name).toBe(false);
    }
  });

  test('an RSA key bound by its JWK "alg" verifies that algorithm only, on every backend', async () => {
    const rsa = fixtures.find((x) => x.algorithm === 'RS256')!;
    const data = Uint8Array.of(4, 2);
    const rsOnly = importJwk({ ...rsa.pair.publicJwk, alg: 'RS256' });
    const psOnly = importJwk({ ...rsa.pair.publicJwk, alg: 'PS256' });
    const rsSig = await SIGNING_BACKENDS[0]!.sign!('RS256', rsa.pair.privateJwk, data);
    const psSig = await SIGNING_BACKENDS[0]!.sign!('PS256', rsa.pair.privateJwk, data);
    for (const backend of ALL_BACKENDS) {
      const answers = [
        await backend.verify('RS256', rsOnly, data, rsSig),
        await backend.verify('PS256', rsOnly, data, psSig),
        await backend.verify('PS256', psOnly, data, psSig),
        await backend.verify('RS256', psOnly, data, rsSig),
      ];
      expect(answers, backend.name).toEqual([true, false, true, false]);
    }
  });

  test.prop([fc.nat(), fc.nat(), fc.uint8Array({ maxLength: 200 }), fc.boolean()], { numRuns: 24 })(
    'an RS256 signature is not a PS256 signature, nor the other way round, under the same RSA key',
    async (f, s, data, rs256) => {
      const rsaFixtures = fixtures.filter((x) => x.algorithm === 'RS256');
      const fixture = pick(rsaFixtures, f);
      const [made, claimed] = rs256 ? (['RS256', 'PS256'] as const) : (['PS256', 'RS256'] as const);
      const signature = await signer(s).sign!(made, fixture.pair.privateJwk, data);
      expect(await verdicts({ ...fixture, algorithm: made }, data, signature)).toEqual(all(true));
      expect(await verdicts({ ...fixture, algorithm: claimed }, data, signature)).toEqual(all(false));
    },
  );

  test('a PS256 signature carries a fresh random salt: two signatures of the same data differ, both verify', async () => {
    const fixture = fixtures.find((x) => x.algorithm === 'PS256')!;
    const data = Uint8Array.of(5, 6, 7);
    for (const backend of SIGNING_BACKENDS) {
      const a = await backend.sign!('PS256', fixture.pair.privateJwk, data);
      const b = await backend.sign!('PS256', fixture.pair.privateJwk, data);
      expect(a, backend.name).not.toEqual(b);
      expect([await verdicts(fixture, data, a), await verdicts(fixture, data, b)], backend.name).toEqual([all(true), all(true)]);
    }
  });

  test('an unknown algorithm is misuse and throws ERR_ALGORITHM_UNSUPPORTED', async () => {
    const fixture = fixtures[0]!;
    for (const backend of ALL_BACKENDS) {
      await expect(backend.verify('PS384' as never, fixture.publicKey, new Uint8Array(1), new Uint8Array(256)), backend.name).rejects.toMatchObject({
        code: 'ERR_ALGORITHM_UNSUPPORTED',
      });
    }
  });

  test.each(ALL_BACKENDS.map((b) => [b.name, b] as const))(
    '%s: inputs mutated after an async verify starts do not change the result',
    async (_name, backend) => {
      for (const fixture of fixtures) {
        const data = Uint8Array.of(10, 20, 30, 40);
        const signature = await SIGNING_BACKENDS[0]!.sign!(fixture.algorithm, fixture.pair.privateJwk, data);
        // A valid call whose buffers are then spoiled still resolves true.
        const d1 = data.slice();
        const s1 = signature.slice();
        const valid = backend.verify(fixture.algorithm, fixture.publicKey, d1, s1);
        d1.fill(0);
        s1.fill(0);
        // An invalid call whose buffers are then repaired still resolves false.
        const d2 = Uint8Array.of(10, 20, 30, 41);
        const invalid = backend.verify(fixture.algorithm, fixture.publicKey, d2, signature);
        d2.set(data);
        expect([await valid, await invalid], `${fixture.algorithm} key from ${fixture.generator}`).toEqual([true, false]);
      }
    },
  );
});

describe('backend agreement on the golden native licenses', () => {
  const natives = readManifests().filter((m) => m.file.startsWith('native/'));

  test.each(natives.map((m) => [m.file, m] as const))('%s: every backend answers the same for its Sig_structure under each key it may name', async (_, m) => {
    const input = readFixtureLicense(m);
    const cose = parseCoseSign1(typeof input === 'string' ? dearmor(input) : input);
    const ring = importKeyRing(readFileSync(join(FIXTURES_DIR, 'keys', m.key), 'utf8'));
    let keys = ring.entries;
    let refused: string | undefined;
    try {
      keys = candidateKeys(ring, cose.keyId, () => true);
    } catch (error) {
      refused = (error as { code?: string }).code; // the kid names no key of the ring: each key is tried, none verifies
    }
    expect(refused).toBe(m.error);
    const answers: Record<string, boolean[]> = {};
    for (const backend of ALL_BACKENDS) {
      answers[backend.name] = [];
      for (const entry of keys) answers[backend.name]!.push(await backend.verify(cose.algorithm, entry.key, cose.toBeSigned, cose.signature));
    }
    // A signature checks out exactly when the manifest says the license got past its signature.
    const signed = m.error === undefined && !m.reasons.includes('SIGNATURE_INVALID');
    expect(Object.values(answers).map((a) => a.some(Boolean))).toEqual(ALL_BACKENDS.map(() => signed));
    for (const backend of ALL_BACKENDS) expect(answers[backend.name], backend.name).toEqual(answers['node']);
  });
});
