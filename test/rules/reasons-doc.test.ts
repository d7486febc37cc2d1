/** The README's reason-code table lists exactly the codes a verdict can report, in the order checks run. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { REASONS } from '../../src/rules/reasons.ts';

test('README "Reason codes" lists every ReasonCode, in order, and nothing else', () => {
  const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Reason codes'), readme.indexOf('Warning `WEAK_KEY`'));
  const codes = [...section.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
  expect(codes).toEqual(Object.keys(REASONS));
});
