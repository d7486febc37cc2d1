/**
 * The CLI's output helpers on their own: terminal escaping (no control or
 * bidirectional character survives, safe text is untouched), depth-bounded
 * JSON (equal to a JSON round trip wherever the depth allows), the argument
 * parser's messages and the typo suggestions.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { terminalSafe } from '../../src/cli/terminal-text.ts';
import { boundedJson, DEPTH_MARKER } from '../../src/cli/render.ts';
import { parseCommandArgs } from '../../src/cli/args.ts';
import { closest, editDistance } from '../../src/cli/did-you-mean.ts';
import { CliExit } from '../../src/cli/io.ts';

const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('terminalSafe', () => {
  test.prop([fc.string({ unit: 'binary' })])('leaves no control or bidirectional character', (s) => {
    expect(terminalSafe(s)).not.toMatch(UNSAFE);
  });
  test.prop([fc.string({ unit: 'binary' }).filter((s) => !UNSAFE.test(s))])('leaves safe text unchanged', (s) => {
    expect(terminalSafe(s)).toBe(s);
  });
  test.each([
    ['\u001b[31m', '\\x1b[31m'],
    ['a\nb\tc\rd', 'a\\nb\\tc\\rd'],
    ['\u0000\u007f\u0085\u009b', '\\x00\\x7f\\x85\\x9b'],
    ['\u202eevil\u2066\u2069\u200f\u061c', '\\u202eevil\\u2066\\u2069\\u200f\\u061c'],
    ['C:\\path é 日本', 'C:\\path é 日本'],
  ])('%j -> %j', (input, output) => {
    expect(terminalSafe(input)).toBe(output);
  });
});

describe('boundedJson', () => {
  test.prop([fc.jsonValue({ maxDepth: 8 })])('equals a JSON round trip within the depth limit', (v) => {
    expect(boundedJson(v)).toEqual(JSON.parse(JSON.stringify(v)));
  });
  test.prop([fc.jsonValue({ maxDepth: 6 }), fc.integer({ min: 0, max: 5 })])('never holds more than maxDepth levels of containers', (v, maxDepth) => {
    const depth = (x: unknown): number => (x !== null && typeof x === 'object' ? 1 + Math.max(0, ...Object.values(x).map(depth)) : 0);
    expect(depth(boundedJson(v, maxDepth))).toBeLessThanOrEqual(maxDepth);
  });
  test('dates as ISO strings, undefined dropped, __proto__ kept as data, any depth without a stack overflow', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const proto = JSON.parse('{"__proto__":{"polluted":true}}') as object;
    expect(boundedJson({ d: new Date(0), u: undefined, a: [undefined], deep, proto }, 2)).toEqual({ d: '1970-01-01T00:00:00.000Z', a: [null], deep: [DEPTH_MARKER], proto: { ['__proto__']: DEPTH_MARKER } });
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });
});

describe('parseCommandArgs', () => {
  const spec = { key: { type: 'string', value: 'KEYFILE' }, json: { type: 'boolean' }, feature: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } } as const;
  const parse = (...args: string[]) => parseCommandArgs(args, spec, { command: 'test', positionals: true, renamed: { salt: 'key' } });
  const message = (...args: string[]): string => {
    try {
      parse(...args);
    } catch (error) {
      expect(error).toBeInstanceOf(CliExit);
      expect((error as CliExit).exitCode).toBe(2);
      return (error as CliExit).message;
    }
    throw new Error('expected a usage error');
  };
  test('values, inline values, repeats, negative numbers, -h and --', () => {
    expect(parse('a', '--key', 'k', '--feature', '-1', '--feature=2', '-h', '--json', '--', '--key')).toEqual({
      values: { key: 'k', feature: ['-1', '2'], help: true, json: true },
      positionals: ['a', '--key'],
    });
  });
  test.each([
    [['--jsn'], 'unknown option --jsn; did you mean --json? (see licensekit test --help)'],
    [['--salt', 'x'], '--salt was renamed: use --key KEYFILE'],
    [['--key'], '--key KEYFILE: the value is missing'],
    [['--key', '--json'], '--key KEYFILE: the value is missing before --json'],
    [['--json=1'], '--json takes no value'],
    [['--key', 'a', '--key=b'], '--key was given twice ("a" and "b")'],
    [['-x'], 'unknown option -x'],
  ])('%j', (args, expected) => {
    expect(message(...args)).toContain(expected);
  });
  test('positionals are refused where a command takes none', () => {
    expect(() => parseCommandArgs(['stray'], spec, { command: 'keygen' })).toThrow('unexpected argument "stray"');
  });
});

describe('closest', () => {
  test.prop([fc.string(), fc.string()])('edit distance is symmetric and bounded by the longer length', (a, b) => {
    expect(editDistance(a, b)).toBe(editDistance(b, a));
    expect(editDistance(a, b)).toBeLessThanOrEqual(Math.max(a.length, b.length));
  });
  test.each([
    ['verfy', 'verify'],
    ['inspcet', 'inspect'],
    ['keygn', 'keygen'],
    ['fingerprints', 'fingerprint'],
    ['fing', 'fingerprint'],
    ['xyzzy', undefined],
    ['constructor', undefined],
  ])('%s -> %s', (typed, expected) => {
    expect(closest(typed, ['verify', 'inspect', 'fingerprint', 'keygen', 'issue', 'demo'])).toBe(expected);
  });
});
