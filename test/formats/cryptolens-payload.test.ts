/**
 * The Cryptolens payload mapper's fast paths give exactly the answers of its
 * general path: field names matched case-insensitively in any order (the
 * mapper remembers the last exact key order of each object kind), keys that
 * differ only in case refused, inherited values never read, and the
 * `cryptolens_features` template (remembered by its text) read per license.
 */
import { test as plainTest, expect, describe } from 'vitest';
import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import { mapCryptolensPayload } from '../../src/formats/cryptolens/payload.ts';
import { anyCase } from '../arbitraries/license.ts';

const FULL: Record<string, unknown> = {
  ProductId: 1001, ID: 7, Key: 'ABCDE', Created: 1767225600, Expires: 1798761600, Period: 365,
  F1: true, F2: false, F3: true, F4: false, F5: false, F6: false, F7: false, F8: null,
  Notes: 'n', Block: false, GlobalId: 4242,
  Customer: { Id: 12, Name: 'Ada', Email: 'ada@example.com', CompanyName: 'AE', Created: 1764547200 },
  ActivatedMachines: [{ Mid: 'MACHINE-A', IP: '192.0.2.10', Time: 1767312000, FriendlyName: 'w', FloatingExpires: 0 }, { Mid: 'floating:M2', IP: null, Time: '2026-01-02T03:04:05', FriendlyName: null, FloatingExpires: 1767312000 }],
  TrialActivation: false, MaxNoOfMachines: 1, AllowedMachines: 'A\nB',
  DataObjects: [{ Id: 1, Name: 'cryptolens_features', StringValue: '["Export",["Modules",["Render"]]]', IntValue: 0 }],
  Reseller: null, SignDate: 1768471200,
};

/** The same object with its keys (at every level) recased by `recase` and reordered by `order`. */
function reshape(value: unknown, recase: (key: string) => string, order: (keys: string[]) => string[]): unknown {
  if (Array.isArray(value)) return value.map((v) => reshape(v, recase, order));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const k of order(Object.keys(value))) out[recase(k)] = reshape((value as Record<string, unknown>)[k], recase, order);
  return out;
}

const canonical = (): unknown => JSON.parse(JSON.stringify(mapCryptolensPayload(JSON.parse(JSON.stringify(FULL)))));
const plain = (payload: unknown): unknown => JSON.parse(JSON.stringify(mapCryptolensPayload(payload)));

describe('field names', () => {
  const expected = canonical();
  test.prop([fc.array(fc.tuple(fc.boolean(), fc.boolean(), fc.integer()), { minLength: 1, maxLength: 6 })])(
    'any casing and any key order, one object after another, maps to the same license',
    (shapes) => {
      for (const [recased, shuffled, seed] of shapes) {
        let s = seed;
        const payload = reshape(
          FULL,
          (k) => (recased ? [...k].map((c, i) => ((s + i) % 3 === 0 ? c.toLowerCase() : c)).join('') : k),
          (keys) => (shuffled ? [...keys].sort(() => ((s = (s * 1103515245 + 12345) | 0) & 1 ? 1 : -1)) : keys),
        );
        expect(plain(JSON.parse(JSON.stringify(payload)))).toEqual(expected);
      }
    },
  );
  plainTest('objects of one kind in different key orders each read their own values', () => {
    const a = { Mid: 'A', IP: '1', Time: 1, FriendlyName: 'fa', FloatingExpires: 0 };
    const b = { FriendlyName: 'fb', FloatingExpires: 0, Time: 2, IP: '2', Mid: 'B' };
    for (const machines of [[a, b, a], [b, a, b]]) {
      const license = mapCryptolensPayload({ ProductId: 1, ActivatedMachines: machines });
      expect(license.activatedMachines!.map((m) => [m.mid, m.ip, m.time!.getTime(), m.friendlyName])).toEqual(
        machines.map((m) => [m.Mid, m.IP, m.Time * 1000, m.FriendlyName]),
      );
    }
  });
  test.prop([anyCase('expires'), anyCase('expires')])('two keys that differ only in case are refused, at any position', (k1, k2) => {
    fc.pre(k1 !== k2);
    // Warm the remembered key order first: the refusal must not depend on it.
    mapCryptolensPayload(JSON.parse(JSON.stringify(FULL)));
    expect(() => mapCryptolensPayload(JSON.parse(`{"ProductId":1,"${k1}":1,"${k2}":2}`))).toThrow(expect.objectContaining({ code: 'ERR_PAYLOAD_INVALID' }));
    expect(() => mapCryptolensPayload({ ProductId: 1, Customer: JSON.parse(`{"Id":1,"${k1 === 'expires' ? 'name' : 'Name'}":"a","NAME":"b"}`) })).toThrow(expect.objectContaining({ code: 'ERR_PAYLOAD_INVALID' }));
  });
  plainTest('an inherited value is never a field, with or without a remembered key order', () => {
    const full = JSON.parse(JSON.stringify(FULL)) as Record<string, unknown>;
    mapCryptolensPayload(full);
    const proto = Object.prototype as Record<string, unknown>;
    try {
      proto.Expires = 1;
      proto.Block = true;
      proto.Brand = 'x';
      const { Expires: _e, Block: _b, ...rest } = full;
      for (const payload of [rest, { ...rest, brand: 1 }]) {
        const license = mapCryptolensPayload(JSON.parse(JSON.stringify(payload)));
        expect(license.expires).toBeNull();
        expect(license.block).toBeNull();
      }
    } finally {
      delete proto.Expires;
      delete proto.Block;
      delete proto.Brand;
    }
  });
  plainTest('a wrongly typed field is refused whichever path reads it', () => {
    mapCryptolensPayload(JSON.parse(JSON.stringify(FULL)));
    for (const bad of [{ Expires: 'soon' }, { expires: 'soon' }, { Expires: Number.MAX_VALUE }, { ID: 1.5 }, { F1: 'yes' }]) {
      const payload = { ...(JSON.parse(JSON.stringify(FULL)) as Record<string, unknown>), ...bad };
      if ('expires' in bad) delete payload.Expires;
      expect(() => mapCryptolensPayload(payload)).toThrow(expect.objectContaining({ code: 'ERR_PAYLOAD_INVALID', message: expect.stringMatching(/LicenseKey\.(Expires|ID|F1) /) }));
    }
  });
});

describe('the cryptolens_features template', () => {
  const withTemplate = (text: string): unknown => ({ ProductId: 1, DataObjects: [{ Id: 1, Name: 'cryptolens_features', StringValue: text, IntValue: 0 }] });
  test.prop([fc.array(fc.constantFrom('["A"]', '["A",["B",["C"]]]', '[["X",["Y"]]]', 'not json', '', '  ', '["A",'), { minLength: 1, maxLength: 12 })])(
    'each license gets the paths of its own template text, however often a text was seen',
    (texts) => {
      const paths: Record<string, readonly string[]> = { '["A"]': ['A'], '["A",["B",["C"]]]': ['A', 'B', 'B.C'], '[["X",["Y"]]]': ['X', 'X.Y'], 'not json': [], '': [], '  ': [], '["A",': [] };
      for (const text of texts) {
        const { entitlements } = mapCryptolensPayload(withTemplate(text));
        expect(entitlements).toEqual(paths[text]);
        expect(Object.isFrozen(entitlements)).toBe(true);
      }
    },
  );
});

describe('floating expiry', () => {
  plainTest('0, written as a number or as the 1970 date, means none; any other time is the lease end', () => {
    const machines = [0, '1970-01-01T00:00:00', 1767312000, null].map((FloatingExpires, i) => ({ Mid: `floating:M${i}`, FloatingExpires }));
    const license = mapCryptolensPayload({ ProductId: 1, ActivatedMachines: machines });
    expect(license.activatedMachines!.map((m) => m.floatingExpires?.getTime() ?? null)).toEqual([null, null, 1767312000_000, null]);
    expect(() => mapCryptolensPayload({ ProductId: 1, ActivatedMachines: [{ Mid: 'floating:M', FloatingExpires: -0.5e20 }] })).toThrow(expect.objectContaining({ code: 'ERR_PAYLOAD_INVALID' }));
  });
});
