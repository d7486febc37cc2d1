/** The small HMAC-SHA-256 agrees with node:crypto's for any key and message (keys longer than a block included). */
import { createHmac } from 'node:crypto';
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { hmacSha256 } from '../../src/lib/hmac.ts';

test.prop([fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 300 })], { numRuns: 500 })('equals node:crypto HMAC-SHA-256', (key, data) => {
  expect(Buffer.from(hmacSha256(key, data)).toString('hex')).toBe(createHmac('sha256', key).update(data).digest('hex'));
});

test('RFC 4231 test case 2', () => {
  const out = hmacSha256(new TextEncoder().encode('Jefe'), new TextEncoder().encode('what do ya want for nothing?'));
  expect(Buffer.from(out).toString('hex')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
});
