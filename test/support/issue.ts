/** Signing helpers for tests: licenses issued with the committed vendor test key. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeBackend } from '../../src/backends/node.ts';
import { buildCryptolensPayload, signCryptolensPayload, type LicenseClaims } from '../../src/issuer/cryptolens.ts';
import { encodeUtf8 } from '../../src/lib/bytes.ts';
import { FIXTURES_DIR } from '../../scripts/make-fixtures.ts';

const keyFile = (name: string): string => readFileSync(join(FIXTURES_DIR, 'keys', name), 'utf8');

/** The vendor test key pair. */
export const VENDOR = {
  publicXml: keyFile('vendor-rsa2048.public.xml'),
  privateJwk: JSON.parse(keyFile('vendor-rsa2048.private.jwk.json')) as Record<string, string>,
};

/** Signs an exact payload object (no claim defaults), for payload-shape tests. */
export function signPayload(payload: unknown): Promise<string> {
  return signCryptolensPayload(encodeUtf8(JSON.stringify(payload)), { privateJwk: VENDOR.privateJwk, backend: nodeBackend });
}

/** Issues a license from claims, signed at `signDate`. */
export function issue(claims: Partial<LicenseClaims> = {}, signDate = new Date('2026-01-15T00:00:00Z')): Promise<string> {
  return signPayload(buildCryptolensPayload({ productId: 1001, key: 'TESTS-TESTS-TESTS-TESTS', created: new Date('2026-01-01T00:00:00Z'), expires: new Date('2027-01-01T00:00:00Z'), ...claims }, signDate));
}
