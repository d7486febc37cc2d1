/**
 * The state's rules (issue 9, "What the state enables"): clock rollback, grace
 * after expiry, the licensee secret in NetLicensing's three modes, HWID
 * binding and revocation. Pure checks over facts the state layer read; each
 * one's pass, fail and not-applicable, with native licenses (their signed
 * policy) and a Cryptolens fixture (the product's options).
 */
import { fc, test as prop } from '@fast-check/vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { beforeAll, describe, expect, test } from 'vitest';
import { FIXTURES_DIR } from '../../scripts/make-fixtures.ts';
import { verifyLicenseSync, type Verdict, type VerifiedLicense, type VerifyOptions } from '../../src/index.node.ts';
import { issueNativeLicense, type NativeLicenseClaims } from '../../src/issuer/index.ts';
import { hwidHash, licenseeSecretHash, sameHash } from '../../src/license/secret.ts';
import type { CheckResult } from '../../src/rules/evaluate.ts';
import type { EvaluationOptions } from '../../src/rules/options.ts';
import { hwidToBind, secretToBind } from '../../src/rules/state-rules.ts';
import { VENDOR } from '../support/issue.ts';

const file = (...p: string[]): string => readFileSync(join(FIXTURES_DIR, ...p), 'utf8');
const ED = { privateJwk: JSON.parse(file('keys', 'vendor-ed25519.private.jwk.json')), publicPem: file('keys', 'vendor-ed25519.public.pem') };
const SIGNED = new Date('2026-05-01T00:00:00Z');
const NOW = new Date('2026-06-01T00:00:00Z');
const DAY = 86_400_000;
const CRYPTOLENS = file('licenses', 'valid.skm');
const CRYPTOLENS_EXPIRED = file('licenses', 'expired.skm');

async function native(claims: Partial<NativeLicenseClaims> = {}): Promise<string> {
  return (await issueNativeLicense({ product: 'acme-cad', expires: new Date('2027-01-01T00:00:00Z'), ...claims }, { privateJwk: ED.privateJwk, now: SIGNED })).text;
}
const verify = (text: string, options: Omit<VerifyOptions, 'key'> = {}): Verdict => verifyLicenseSync(text, { key: ED.publicPem, now: NOW, ...options });
const verifyCryptolens = (text: string, options: Omit<VerifyOptions, 'key'> = {}): Verdict => verifyLicenseSync(text, { key: VENDOR.publicXml, now: NOW, ...options });
const checkOf = (v: { checks: readonly CheckResult[] }, name: CheckResult['check']): CheckResult | undefined => v.checks.find((c) => c.check === name);
const names = (v: { checks: readonly { check: string }[] }) => v.checks.map((c) => c.check);

const texts: Record<string, string> = {};
beforeAll(async () => {
  texts.plain = await native();
  texts.predefined = await native({ licenseeSecret: { mode: 'predefined', secret: 'dongle-4711' } });
  texts.client = await native({ licenseeSecret: { mode: 'client' } });
  texts.disabled = await native({ licenseeSecret: { mode: 'disabled' } });
  texts.hwid = await native({ bindHwid: true, key: 'HWIDS-HWIDS-HWIDS-HWIDS' });
  texts.grace = await native({ expires: new Date('2026-05-20T00:00:00Z'), graceDays: 14 });
  texts.graceZero = await native({ expires: new Date('2026-05-20T00:00:00Z'), graceDays: 0 });
  texts.expired = await native({ expires: new Date('2026-05-20T00:00:00Z') });
  texts.everything = await native({
    expires: new Date('2026-05-20T00:00:00Z'),
    graceDays: 14,
    licenseeSecret: { mode: 'predefined', secret: 'dongle-4711' },
    bindHwid: true,
    key: 'EVERY-THING-EVERY-THING',
    id: Uint8Array.of(0xab, 0xcd),
  });
});

describe('no state options or facts: nothing changes', () => {
  test('a license with no policy, checked with no state options, has exactly the checks it had before', () => {
    const v = verify(texts.plain!);
    expect(v.valid).toBe(true);
    expect(names(v)).toEqual(['signature', 'expiry', 'block', 'sign-date']);
    expect(v.warnings).toEqual([]);
  });
  test('the new checks come after the existing ones, clock first among them', () => {
    const v = verify(texts.everything!, { machineCode: 'M', productId: 'acme-cad', licenseeSecret: 'dongle-4711', hwid: 'H1', facts: { trustedTimeMs: 0, revoked: new Set() } });
    expect(names(v)).toEqual(['signature', 'expiry', 'block', 'sign-date', 'machine', 'product', 'clock', 'licensee-secret', 'hwid', 'revocation']);
  });
});

describe('clock rollback (CLOCK_ROLLED_BACK)', () => {
  const mark = NOW.getTime() + 60_000;
  test('now before the trusted mark − tolerance fails; at the mark − tolerance it passes', () => {
    expect(verify(texts.plain!, { facts: { trustedTimeMs: mark } }).reasons).toEqual(['CLOCK_ROLLED_BACK']);
    expect(checkOf(verify(texts.plain!, { facts: { trustedTimeMs: mark } }), 'clock')!.detail).toContain('before the latest trusted time 2026-06-01T00:01:00.000Z');
    expect(verify(texts.plain!, { facts: { trustedTimeMs: mark }, clockToleranceSeconds: 60 }).valid).toBe(true);
    expect(verify(texts.plain!, { facts: { trustedTimeMs: mark + 1 }, clockToleranceSeconds: 60 }).reasons).toEqual(['CLOCK_ROLLED_BACK']);
    expect(checkOf(verify(texts.plain!, { facts: { trustedTimeMs: NOW.getTime() } }), 'clock')).toMatchObject({ ok: true });
  });
  test('first run: evidence of a later time than now + tolerance fails, and the detail says what the evidence was', () => {
    const evidence = { ms: mark, source: '/home/u/.bash_history' };
    const v = verify(texts.plain!, { facts: { clockEvidence: evidence } });
    expect(v.reasons).toEqual(['CLOCK_ROLLED_BACK']);
    expect(checkOf(v, 'clock')!.detail).toContain('/home/u/.bash_history was modified 2026-06-01T00:01:00.000Z');
    expect(verify(texts.plain!, { facts: { clockEvidence: evidence }, clockToleranceSeconds: 60 }).valid).toBe(true);
    expect(verify(texts.plain!, { facts: { clockEvidence: { ...evidence, ms: NOW.getTime() - DAY } } }).valid).toBe(true);
  });
  test('not applicable without a mark or evidence: no clock check at all', () => {
    for (const facts of [{}, { clockEvidence: null }, { revoked: new Set<string>() }]) expect(names(verify(texts.plain!, { facts }))).not.toContain('clock');
  });
  test('on a Cryptolens file too', () => {
    expect(verifyCryptolens(CRYPTOLENS, { facts: { trustedTimeMs: NOW.getTime() + DAY } }).reasons).toEqual(['CLOCK_ROLLED_BACK']);
  });
});

describe('grace after expiry (EXPIRED_IN_GRACE)', () => {
  test('within the license\'s grace: valid, the warning on the verdict and on evaluate(), the detail says when grace ends', () => {
    const v = verify(texts.grace!);
    expect(v.valid).toBe(true);
    expect(v.warnings).toEqual(['EXPIRED_IN_GRACE']);
    expect(checkOf(v, 'expiry')).toEqual({ check: 'expiry', ok: true, detail: 'expired 2026-05-20T00:00:00.000Z, in grace until 2026-06-03T00:00:00.000Z' });
    expect(v.license!.evaluate({ now: NOW }).warnings).toEqual(['EXPIRED_IN_GRACE']);
  });
  test('at the end of grace it is EXPIRED, and the detail says grace ended', () => {
    const v = verify(texts.grace!, { now: new Date('2026-06-03T00:00:00Z') });
    expect(v.reasons).toEqual(['EXPIRED']);
    expect(v.warnings).toEqual([]);
    expect(checkOf(v, 'expiry')!.detail).toBe('expired 2026-05-20T00:00:00.000Z, grace ended 2026-06-03T00:00:00.000Z');
    expect(verify(texts.grace!, { now: new Date('2026-06-02T23:59:59.999Z') }).valid).toBe(true);
  });
  test('the license\'s own graceDays wins over the option (even 0); the option applies to a license without one', () => {
    expect(verify(texts.graceZero!, { graceDays: 30 }).reasons).toEqual(['EXPIRED']);
    expect(verify(texts.grace!, { graceDays: 1 }).valid).toBe(true);
    expect(verify(texts.expired!).reasons).toEqual(['EXPIRED']);
    expect(verify(texts.expired!, { graceDays: 30 }).warnings).toEqual(['EXPIRED_IN_GRACE']);
    expect(verify(texts.expired!, { graceDays: 0 }).reasons).toEqual(['EXPIRED']);
  });
  test('a Cryptolens file with the product option', () => {
    const expires = verifyCryptolens(CRYPTOLENS_EXPIRED).license!.expires!.getTime();
    const inside = verifyCryptolens(CRYPTOLENS_EXPIRED, { now: expires + DAY, graceDays: 2 });
    expect([inside.valid, inside.warnings]).toEqual([true, ['EXPIRED_IN_GRACE']]);
    expect(verifyCryptolens(CRYPTOLENS_EXPIRED, { now: expires + 2 * DAY, graceDays: 2 }).reasons).toEqual(['EXPIRED']);
  });
  test('a weak key\'s warning and the grace warning are both on the verdict', () => {
    const weak = verifyLicenseSync(file('licenses', 'weak-1024.skm'), { key: file('keys', 'weak-rsa1024.public.xml'), now: new Date('2027-01-02T00:00:00Z'), graceDays: 400 });
    expect(weak.warnings).toEqual(['WEAK_KEY', 'EXPIRED_IN_GRACE']);
  });

  let license: VerifiedLicense;
  beforeAll(() => {
    license = verify(texts.expired!).license!;
  });
  prop.prop([fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 3600 }), fc.integer({ min: -5 * DAY, max: 70 * DAY }), fc.integer({ min: 0, max: 70 * DAY })])(
    'monotonic: once past grace, always past grace (and once valid again never, going forwards)',
    (graceDays, toleranceSeconds, offset, later) => {
      const expires = license.expires!.getTime();
      const at = (ms: number) => license.evaluate({ now: ms, graceDays, clockToleranceSeconds: toleranceSeconds });
      const first = at(expires + offset);
      const second = at(expires + offset + later);
      if (first.reasons.includes('EXPIRED')) expect(second.reasons).toContain('EXPIRED');
      if (!second.valid) expect(second.reasons).toEqual(['EXPIRED']);
      // In grace exactly while expired at `expires` but not at `expires + graceDays`.
      const ms = expires + offset;
      const inGrace = graceDays > 0 && expires <= ms - toleranceSeconds * 1000 && expires + graceDays * DAY > ms - toleranceSeconds * 1000;
      expect(first.warnings).toEqual(inGrace ? ['EXPIRED_IN_GRACE'] : []);
    },
  );
});

describe('licensee secret', () => {
  test('predefined: the right secret passes, a wrong one is MISMATCH, none is MISSING', () => {
    expect(checkOf(verify(texts.predefined!, { licenseeSecret: 'dongle-4711' }), 'licensee-secret')).toMatchObject({ ok: true });
    expect(verify(texts.predefined!, { licenseeSecret: 'dongle-4712' }).reasons).toEqual(['LICENSEE_SECRET_MISMATCH']);
    expect(verify(texts.predefined!).reasons).toEqual(['LICENSEE_SECRET_MISSING']);
  });
  test('the license\'s signed policy wins: the product option cannot downgrade it to disabled, nor upgrade a disabled one', () => {
    expect(verify(texts.predefined!, { licenseeSecretMode: 'disabled' }).reasons).toEqual(['LICENSEE_SECRET_MISSING']);
    expect(verify(texts.predefined!, { licenseeSecretMode: 'disabled', licenseeSecret: 'x' }).reasons).toEqual(['LICENSEE_SECRET_MISMATCH']);
    expect(verify(texts.disabled!, { licenseeSecretMode: 'predefined' }).valid).toBe(true);
  });
  test('disabled: a secret given is ignored, the check says it does not apply', () => {
    const v = verify(texts.disabled!, { licenseeSecret: 'anything' });
    expect(v.valid).toBe(true);
    expect(checkOf(v, 'licensee-secret')).toMatchObject({ ok: null });
    expect(checkOf(v, 'licensee-secret')!.detail).toContain('ignored');
  });
  test('client: unbound passes and says it will be bound; secretToBind gives the salted hash; then it works like predefined', () => {
    const first = verify(texts.client!, { licenseeSecret: 'hw-hash-1' });
    expect(first.valid).toBe(true);
    expect(checkOf(first, 'licensee-secret')!.detail).toContain('will be bound');
    const license = first.license!;
    const hash = secretToBind(license, { licenseeSecret: 'hw-hash-1' })!;
    expect(sameHash(hash, licenseeSecretHash(license.product, license.key, 'hw-hash-1'))).toBe(true);
    const facts = { boundSecretHash: hash };
    expect(checkOf(verify(texts.client!, { licenseeSecret: 'hw-hash-1', facts }), 'licensee-secret')).toMatchObject({ ok: true });
    expect(verify(texts.client!, { licenseeSecret: 'hw-hash-2', facts }).reasons).toEqual(['LICENSEE_SECRET_MISMATCH']);
    expect(verify(texts.client!, { facts }).reasons).toEqual(['LICENSEE_SECRET_MISSING']);
    expect(verify(texts.client!).reasons).toEqual(['LICENSEE_SECRET_MISSING']);
    expect(secretToBind(license, { licenseeSecret: 'hw-hash-2', facts })).toBeNull(); // already bound
    expect(secretToBind(license, {})).toBeNull();
    expect(secretToBind(verify(texts.predefined!).license!, { licenseeSecret: 'dongle-4711' })).toBeNull(); // only client mode binds
  });
  test('a Cryptolens file follows the product option; predefined without a hash in the license fails closed', () => {
    expect(names(verifyCryptolens(CRYPTOLENS))).not.toContain('licensee-secret');
    expect(checkOf(verifyCryptolens(CRYPTOLENS, { licenseeSecret: 's' }), 'licensee-secret')).toMatchObject({ ok: null });
    const license = verifyCryptolens(CRYPTOLENS).license!;
    const options: EvaluationOptions = { licenseeSecretMode: 'client', licenseeSecret: 'hw-1' };
    expect(verifyCryptolens(CRYPTOLENS, options).valid).toBe(true);
    const boundSecretHash = secretToBind(license, options)!;
    expect(sameHash(boundSecretHash, licenseeSecretHash(license.product, license.key, 'hw-1'))).toBe(true);
    expect(verifyCryptolens(CRYPTOLENS, { ...options, licenseeSecret: 'hw-2', facts: { boundSecretHash } }).reasons).toEqual(['LICENSEE_SECRET_MISMATCH']);
    expect(verifyCryptolens(CRYPTOLENS, { licenseeSecretMode: 'predefined', licenseeSecret: 'hw-1' }).reasons).toEqual(['LICENSEE_SECRET_MISMATCH']);
    expect(verifyCryptolens(CRYPTOLENS, { licenseeSecretMode: 'predefined' }).reasons).toEqual(['LICENSEE_SECRET_MISSING']);
    expect(verifyCryptolens(CRYPTOLENS, { licenseeSecretMode: 'disabled', licenseeSecret: 'x' }).valid).toBe(true);
  });
  test('secretToBind validates its options like evaluation does', () => {
    const license = verify(texts.client!).license!;
    for (const bad of [null, { licenseeSecret: '' }, { licenseeSecret: 5 }, { licenseeSecretMode: 'always' }, { facts: { boundSecretHash: 'x' } }, { licenseSecret: 's' }]) {
      expect(() => secretToBind(license, bad), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'ERR_OPTION_INVALID' }));
    }
  });
});

describe('HWID binding (HWID_MISMATCH)', () => {
  test('unbound: passes and says it will be bound; hwidToBind gives the salted hash; bound: the same HWID passes, another is HWID_MISMATCH', () => {
    const first = verify(texts.hwid!, { hwid: 'H1' });
    expect(first.valid).toBe(true);
    expect(checkOf(first, 'hwid')!.detail).toContain('will be bound');
    const license = first.license!;
    const boundHwidHash = hwidToBind(license, { hwid: 'H1' })!;
    expect(sameHash(boundHwidHash, hwidHash(license.product, license.key, 'H1'))).toBe(true);
    expect(checkOf(verify(texts.hwid!, { hwid: 'H1', facts: { boundHwidHash } }), 'hwid')).toMatchObject({ ok: true });
    expect(verify(texts.hwid!, { hwid: 'H2', facts: { boundHwidHash } }).reasons).toEqual(['HWID_MISMATCH']);
    expect(hwidToBind(license, { hwid: 'H2', facts: { boundHwidHash } })).toBeNull();
  });
  test('not applicable: a license that binds nothing ignores a HWID; a binding license with no HWID given is not checked', () => {
    expect(checkOf(verify(texts.plain!, { hwid: 'H1' }), 'hwid')).toMatchObject({ ok: null });
    expect(hwidToBind(verify(texts.plain!).license!, { hwid: 'H1' })).toBeNull();
    expect(checkOf(verify(texts.hwid!), 'hwid')).toMatchObject({ ok: null });
    expect(names(verify(texts.plain!))).not.toContain('hwid');
  });
  test('the bindHwid option binds a Cryptolens file', () => {
    const license = verifyCryptolens(CRYPTOLENS).license!;
    const boundHwidHash = hwidToBind(license, { bindHwid: true, hwid: 'H1' })!;
    expect(boundHwidHash).not.toBeNull();
    expect(verifyCryptolens(CRYPTOLENS, { bindHwid: true, hwid: 'H2', facts: { boundHwidHash } }).reasons).toEqual(['HWID_MISMATCH']);
    expect(verifyCryptolens(CRYPTOLENS, { bindHwid: false, hwid: 'H2', facts: { boundHwidHash } }).valid).toBe(true);
  });
  test('a HWID and a licensee secret with the same text hash differently; so do two licenses', () => {
    expect(sameHash(hwidHash('p', 'id', 'same'), licenseeSecretHash('p', 'id', 'same'))).toBe(false);
    expect(sameHash(hwidHash('p', 'id1', 'same'), hwidHash('p', 'id2', 'same'))).toBe(false);
  });
});

describe('revocation (REVOKED)', () => {
  test('by the license id or key; the detail names the list\'s sequence', () => {
    const license = verify(texts.hwid!).license!;
    const byId = verify(texts.hwid!, { facts: { revoked: new Set([String(license.id)]), revocationSequence: 7 } });
    expect(byId.reasons).toEqual(['REVOKED']);
    expect(checkOf(byId, 'revocation')!.detail).toBe(`license id ${String(license.id)} is on revocation list #7`);
    expect(checkOf(verify(texts.hwid!, { facts: { revoked: new Set(['HWIDS-HWIDS-HWIDS-HWIDS']), revocationSequence: 8 } }), 'revocation')!.detail).toContain('license key HWIDS-HWIDS-HWIDS-HWIDS is on revocation list #8');
    expect(checkOf(verify(texts.hwid!, { facts: { revoked: new Set(['OTHER']), revocationSequence: 9 } }), 'revocation')).toEqual({ check: 'revocation', ok: true, detail: 'not on revocation list #9' });
    expect(names(verify(texts.hwid!, { facts: { revoked: null } }))).not.toContain('revocation');
  });
  test('a Cryptolens numeric id is looked up in decimal', () => {
    const id = verifyCryptolens(CRYPTOLENS).license!.id;
    expect(typeof id).toBe('number');
    expect(verifyCryptolens(CRYPTOLENS, { facts: { revoked: new Set([String(id)]) } }).reasons).toEqual(['REVOKED']);
  });
});

describe('together', () => {
  let license: VerifiedLicense;
  beforeAll(() => {
    license = verify(texts.everything!).license!;
  });
  const bound = () => ({ boundHwidHash: hwidHash(license.product, license.key, 'H1') });

  prop.prop([fc.boolean(), fc.boolean(), fc.constantFrom('right', 'wrong', 'missing'), fc.boolean(), fc.boolean()])(
    'every failing reason is reported, in the order the checks run',
    (pastGrace, rolledBack, secret, otherHwid, revoked) => {
      const now = pastGrace ? new Date('2026-06-10T00:00:00Z') : NOW;
      const options: EvaluationOptions = {
        now,
        hwid: otherHwid ? 'H2' : 'H1',
        ...(secret === 'missing' ? {} : { licenseeSecret: secret === 'right' ? 'dongle-4711' : 'nope' }),
        facts: { ...bound(), trustedTimeMs: rolledBack ? now.getTime() + DAY : now.getTime() - DAY, revoked: new Set(revoked ? ['EVERY-THING-EVERY-THING'] : []), revocationSequence: 3 },
      };
      const expected = [
        ...(pastGrace ? ['EXPIRED'] : []),
        ...(rolledBack ? ['CLOCK_ROLLED_BACK'] : []),
        ...(secret === 'wrong' ? ['LICENSEE_SECRET_MISMATCH'] : secret === 'missing' ? ['LICENSEE_SECRET_MISSING'] : []),
        ...(otherHwid ? ['HWID_MISMATCH'] : []),
        ...(revoked ? ['REVOKED'] : []),
      ];
      const e = license.evaluate(options);
      expect(e.reasons).toEqual(expected);
      expect(e.valid).toBe(expected.length === 0);
      expect(e.warnings).toEqual(pastGrace ? [] : ['EXPIRED_IN_GRACE']);
      expect(e.checks.filter((c) => c.ok === false).map((c) => c.reason)).toEqual(expected);
    },
  );

  test('the same through verifyLicenseSync', () => {
    const v = verify(texts.everything!, { now: new Date('2026-06-10T00:00:00Z'), licenseeSecret: 'nope', hwid: 'H2', facts: { ...bound(), trustedTimeMs: Date.parse('2026-06-11T00:00:00Z'), revoked: new Set(['abcd']) } });
    expect(v.reasons).toEqual(['EXPIRED', 'CLOCK_ROLLED_BACK', 'LICENSEE_SECRET_MISMATCH', 'HWID_MISMATCH', 'REVOKED']);
  });
});

describe('the licensee secret never appears in a verdict', () => {
  const SECRET = fc.string({ minLength: 6, maxLength: 40 }).map((s) => `LKS:${s}`);
  prop.prop([SECRET, fc.constantFrom('predefined', 'client', 'disabled', 'cryptolens-client', 'cryptolens-none'), fc.boolean()], { numRuns: 60 })(
    'not in a check\'s detail, JSON.stringify of the verdict or of evaluate(), nor what console.log prints',
    (secret, mode, bindOther) => {
      const facts = bindOther ? { boundSecretHash: licenseeSecretHash('x', 'y', 'other') } : {};
      const verdict =
        mode === 'cryptolens-client'
          ? verifyCryptolens(CRYPTOLENS, { licenseeSecret: secret, licenseeSecretMode: 'client', facts })
          : mode === 'cryptolens-none'
            ? verifyCryptolens(CRYPTOLENS, { licenseeSecret: secret, facts })
            : verify(texts[mode]!, { licenseeSecret: secret, facts });
      const escaped = JSON.stringify(secret).slice(1, -1);
      const json = JSON.stringify(verdict);
      expect(json).not.toContain(escaped);
      expect(json).not.toContain(secret);
      expect(inspect(verdict, { depth: 8 })).not.toContain(secret);
      for (const c of verdict.checks) expect(c.detail).not.toContain(secret);
      expect(JSON.stringify(verdict.license!.evaluate({ now: NOW, licenseeSecret: secret, facts }))).not.toContain(escaped);
      // The secret was really checked (the test would prove nothing if no check read it).
      expect(names(verdict)).toContain('licensee-secret');
    },
  );
});
