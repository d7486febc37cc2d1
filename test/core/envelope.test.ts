/**
 * The one core that turns a backend's answer into the signature check: bad
 * signatures and stray exceptions become "did not verify"; a backend's typed
 * misuse error propagates instead of masquerading as SIGNATURE_INVALID.
 */
import { describe, expect, test } from 'vitest';
import type { SignatureBackend } from '../../src/backends/backend.ts';
import { BackendError } from '../../src/lib/errors.ts';
import { verifyLicense, verifyLicenseSync } from '../../src/index.node.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES_DIR } from '../../scripts/make-fixtures.ts';
import { VENDOR } from '../support/issue.ts';

const text = readFileSync(join(FIXTURES_DIR, 'licenses', 'valid.skm'), 'utf8');
const opts = { key: VENDOR.publicXml, now: new Date('2026-06-01T00:00:00Z') };

function backend(behaviour: () => boolean): SignatureBackend {
  return { name: 'test', supports: () => true, verify: async () => behaviour(), verifySync: behaviour };
}

describe('verifySignedEnvelope', () => {
  test('a backend throwing a plain error counts as "did not verify"', async () => {
    const flaky = backend(() => {
      throw new Error('boom');
    });
    expect(verifyLicenseSync(text, { ...opts, backend: flaky }).reasons).toEqual(['SIGNATURE_INVALID']);
    expect((await verifyLicense(text, { ...opts, backend: flaky })).reasons).toEqual(['SIGNATURE_INVALID']);
  });

  test("a backend's typed misuse error propagates, sync and async", async () => {
    const misuse = backend(() => {
      throw new BackendError('ERR_ALGORITHM_UNSUPPORTED', 'not here');
    });
    expect(() => verifyLicenseSync(text, { ...opts, backend: misuse })).toThrow(expect.objectContaining({ code: 'ERR_ALGORITHM_UNSUPPORTED' }));
    await expect(verifyLicense(text, { ...opts, backend: misuse })).rejects.toMatchObject({ code: 'ERR_ALGORITHM_UNSUPPORTED' });
  });

  test('a backend that says yes is believed only for what it verified: claims come from the verified bytes', () => {
    const verdict = verifyLicenseSync(text, { ...opts, backend: backend(() => true) });
    expect(verdict.license!.key).toBe('ABCDE-FGHIJ-KLMNO-PQRST');
  });
});

describe('envelope key folding is ASCII only', () => {
  test('a Kelvin sign does not stand in for the K of licenseKey', () => {
    const response = JSON.parse(text) as Record<string, unknown>;
    const spoofed = JSON.stringify({ ['license\u212Aey']: response.licenseKey, signature: response.signature });
    expect(() => verifyLicenseSync(spoofed, opts)).toThrow(expect.objectContaining({ code: 'ERR_ENVELOPE_INVALID' }));
  });
});
