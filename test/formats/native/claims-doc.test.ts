/** The README's claim table is the wire format: it must list exactly NATIVE_CLAIMS, key, name and type. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { CLAIM_MEANINGS } from '../../../src/formats/native/claim-meanings.ts';
import { NATIVE_CLAIMS, RESERVED_CLAIM_KEYS } from '../../../src/formats/native/claims.ts';

test('README lists every native claim with its key and type, and nothing else', () => {
  const readme = readFileSync(join(import.meta.dirname, '..', '..', '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### The native license format'));
  const rows = [...section.matchAll(/^\| `(-?\d+)` \| `(\w+)` \| ([a-z[\]]+) \| (.+) \|$/gm)].map((m) => [Number(m[1]), m[2], m[3], m[4]]);
  expect(rows).toEqual(Object.entries(NATIVE_CLAIMS).map(([name, c]) => [c.key, name, c.type, CLAIM_MEANINGS[name as keyof typeof CLAIM_MEANINGS]]));
});

test('claim keys are unique, registered ones are CWT\'s, and licensekit\'s are private-use; only the activation claims use the activation range', () => {
  const keys = Object.values(NATIVE_CLAIMS).map((c) => c.key);
  expect(new Set(keys).size).toBe(keys.length);
  expect([NATIVE_CLAIMS.iss, NATIVE_CLAIMS.sub, NATIVE_CLAIMS.aud, NATIVE_CLAIMS.exp, NATIVE_CLAIMS.nbf, NATIVE_CLAIMS.iat, NATIVE_CLAIMS.cti].map((c) => c.key)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  const activation = [NATIVE_CLAIMS.nonce, NATIVE_CLAIMS.devicePublicKey, NATIVE_CLAIMS.deviceKeyId].map((c) => c.key);
  for (const key of keys.filter((k) => k < 0)) {
    expect(key).toBeLessThan(-65536);
    expect(key >= RESERVED_CLAIM_KEYS.from && key <= RESERVED_CLAIM_KEYS.to).toBe(activation.includes(key));
  }
});
