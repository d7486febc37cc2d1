/**
 * A speed-up for Node's entry (installed by src/index.node.ts through `useExactReaders`): a Cryptolens payload
 * (verified, or shown unjudged by `inspectLicense`: nothing here relies on the signature) exactly as Cryptolens
 * writes it, read straight into the slots of payload.ts's shapes, instead of `JSON.parse` building every object
 * and payload.ts then reading its keys. Cryptolens writes compact ASCII JSON
 * with its keys in one order; this reads exactly that (every key spelt as the shape names it, in the shape's
 * order, any of them missing; strings with or without escapes; integers of up to 15 digits; true, false, null)
 * and answers `null` for anything else (whitespace, another key or order, a number with a fraction or exponent, a
 * character outside ASCII, a value of a kind its field never holds, bad JSON), which envelope.ts then reads with
 * `JSON.parse` or refuses. It never decides an error, and a property test holds that installing it changes no
 * result (test/formats/cryptolens-exact-payload.test.ts). The JSON is scanned as bytes (a typed array is read about
 * 2.5x faster than a string's char codes); strings are sliced from the payload decoded once.
 */
import { bufferLatin1 } from '../../lib/buffer.ts';
import { decodeUtf8 } from '../../lib/bytes.ts';
import { DATA_OBJECT, LICENSE, MACHINE, PARTY, SlottedObject, type Shape } from './payload.ts';

/** Not read here: the caller goes to `JSON.parse`. */
const OTHER = Symbol('other');
type Value = string | number | boolean | null | SlottedObject | SlottedObject[];

/** How a shape is scanned: its keys as the bytes of `"Name":`, and per slot the table of the objects the field holds (`null`: a scalar field). */
interface Table {
  readonly shape: Shape;
  readonly keys: readonly Uint8Array[];
  readonly nested: readonly (Table | null)[];
}
function table(shape: Shape, nested: ReadonlyMap<string, Table> = new Map()): Table {
  return { shape, keys: shape.names.map((name) => Uint8Array.from(`"${name}":`, (c) => c.charCodeAt(0))), nested: shape.names.map((name) => nested.get(name) ?? null) };
}
const PARTY_TABLE = table(PARTY);
const LICENSE_TABLE = table(LICENSE, new Map([['Customer', PARTY_TABLE], ['Reseller', PARTY_TABLE], ['ActivatedMachines', table(MACHINE)], ['DataObjects', table(DATA_OBJECT)]]));

class Scanner {
  /** The next byte to read. */
  at = 0;
  /** Scratch stack of the items of the arrays being read (see `array`). */
  private readonly items: SlottedObject[] = [];
  constructor(
    private readonly bytes: Uint8Array,
    /** The payload as text (the same indices: it is ASCII), to slice strings from. */
    private readonly text: string,
  ) {}

  /** The object at `at` (a '{'), of `table`'s shape. */
  object(table: Table): SlottedObject | typeof OTHER {
    const b = this.bytes;
    const { keys, nested } = table;
    const values = table.shape.empty.slice() as (Value | undefined)[];
    let i = this.at + 1;
    if (b[i] === 125) {
      this.at = i + 1;
      return new SlottedObject(values);
    }
    // Keys in the shape's order: each is one of those after the last one read, so none repeats.
    let next = 0;
    for (;;) {
      let slot = -1;
      for (let s = next; s < keys.length && slot < 0; s++) {
        const key = keys[s]!;
        let j = 0;
        while (j < key.length && b[i + j] === key[j]) j++;
        if (j === key.length) slot = s;
      }
      if (slot < 0) return OTHER;
      this.at = i + keys[slot]!.length;
      const value = this.value(nested[slot]!);
      if (value === OTHER) return OTHER;
      values[slot] = value;
      next = slot + 1;
      i = this.at;
      const c = b[i];
      if (c === 125) {
        this.at = i + 1;
        return new SlottedObject(values);
      }
      if (c !== 44) return OTHER;
      i++;
    }
  }

  /** The array at `at` (a '['), of objects of `table`'s shape. */
  array(table: Table): SlottedObject[] | typeof OTHER {
    const b = this.bytes;
    this.at++;
    if (b[this.at] === 93) {
      this.at++;
      return [];
    }
    // The items go on a scratch stack, then into an array exactly as long (a push would reserve 17 places). Each
    // array takes its items from where the stack stood when it began, so an item holding an array of its own (no
    // shape has one today) could not take its parent's.
    const items = this.items;
    const from = items.length;
    for (;;) {
      if (b[this.at] !== 123) return OTHER;
      const item = this.object(table);
      if (item === OTHER) return OTHER;
      items.push(item);
      const c = b[this.at++];
      if (c === 93) {
        const out = items.slice(from);
        items.length = from;
        return out;
      }
      if (c !== 44) return OTHER;
    }
  }

  /** The value at `at`; objects and arrays only where the field holds them (`nested`). */
  value(nested: Table | null): Value | typeof OTHER {
    const b = this.bytes;
    let i = this.at;
    const c = b[i];
    if (c === 34) {
      const start = ++i;
      let escaped = false;
      for (;;) {
        const d = b[i];
        if (d === 34) break;
        if (d === 92) {
          escaped = true;
          i += 2;
          continue;
        }
        // A control character (JSON refuses it raw), one outside ASCII, or the end of the bytes (undefined).
        if (!(d! >= 0x20 && d! < 0x80)) return OTHER;
        i++;
      }
      this.at = i + 1;
      if (!escaped) return this.text.slice(start, i);
      return unescaped(this.text.slice(start - 1, i + 1));
    }
    if (c === 123) return nested === null ? OTHER : this.object(nested);
    if (c === 91) return nested === null ? OTHER : this.array(nested);
    if (c === 116 && b[i + 1] === 114 && b[i + 2] === 117 && b[i + 3] === 101) return this.literal(4, true);
    if (c === 102 && b[i + 1] === 97 && b[i + 2] === 108 && b[i + 3] === 115 && b[i + 4] === 101) return this.literal(5, false);
    if (c === 110 && b[i + 1] === 117 && b[i + 2] === 108 && b[i + 3] === 108) return this.literal(4, null);
    // An integer: -?(0|[1-9][0-9]*), at most 15 digits (exact as a double); `-0` is left to JSON.parse.
    const negative = c === 45;
    if (negative) i++;
    const first = i;
    let n = 0;
    let d = b[i];
    if (d === 48) d = b[++i];
    else {
      while (d !== undefined && d >= 48 && d <= 57) {
        n = n * 10 + (d - 48);
        d = b[++i];
      }
    }
    if (i === first || i - first > 15 || (negative && n === 0)) return OTHER;
    if (d === 46 || d === 101 || d === 69 || (d !== undefined && d >= 48 && d <= 57)) return OTHER; // '.', 'e', 'E', a digit after 0
    this.at = i;
    return negative ? -n : n;
  }

  private literal(length: number, value: boolean | null): boolean | null {
    this.at += length;
    return value;
  }
}

/**
 * A JSON string literal with escapes (quotes included), read by `JSON.parse`; `OTHER` when it is not one. The last
 * few are remembered, like template.ts's templates: the escaped string of a product's licenses is usually its
 * `cryptolens_features` template, the same text in each, and comparing it costs a fraction of parsing it again.
 */
function unescaped(literal: string): string | typeof OTHER {
  // The last one first, compared as text (no hash of a fresh string to compute): usually the template again.
  if (literal === lastLiteral) return lastValue;
  const hit = escapes.get(literal);
  if (hit !== undefined) {
    lastLiteral = literal;
    lastValue = hit;
    return hit;
  }
  let value: string | typeof OTHER;
  try {
    value = JSON.parse(literal) as string;
  } catch {
    value = OTHER;
  }
  if (literal.length <= MAX_REMEMBERED) {
    if (escapes.size >= 16) escapes.delete(escapes.keys().next().value!);
    escapes.set(literal, value);
    lastLiteral = literal;
    lastValue = value;
  }
  return value;
}
/** Literals longer than this are parsed every time rather than held in memory. */
const MAX_REMEMBERED = 4096;
const escapes = new Map<string, string | typeof OTHER>();
let lastLiteral = '';
let lastValue: string | typeof OTHER = OTHER;

/** @internal The payload's slots, or `null` when it is not exactly as Cryptolens writes it (see above). */
export function exactPayload(bytes: Uint8Array): SlottedObject | null {
  if (bytes[0] !== 123) return null;
  // One character per byte, so the text's indices are the bytes'. Latin-1 where Buffer can (about 0.1 µs faster than
  // a UTF-8 decoder): it equals the UTF-8 text for ASCII, and the scanner answers only for ASCII, every byte checked
  // (string characters 0x20-0x7f, and JSON.parse checks the character after a backslash; structure, numbers and
  // literals are ASCII by construction). Else UTF-8, refusing any payload that is not ASCII.
  const text = bufferLatin1(bytes) ?? decodeUtf8(bytes);
  if (text === null || text.length !== bytes.length) return null;
  const scanner = new Scanner(bytes, text);
  const slots = scanner.object(LICENSE_TABLE);
  return slots === OTHER || scanner.at !== bytes.length ? null : slots;
}
