/**
 * The options memo of Node's verification API (issue 8 §5, hot path): what one options object resolved to is
 * kept, so the next call with the same object, unchanged, skips validating it and importing its key again (a
 * program checking its license every few minutes, a host checking many plugins one by one). Installed by
 * src/index.node.ts (see `SharedSource` in verify.ts): the browser and IIFE bundles, which must stay within their
 * size budget, verify without it.
 *
 * "Unchanged" is checked on every call, cheaply and completely, by comparing snapshots: each own property (by
 * `Object.getOwnPropertyNames`, so a non-enumerable option counts too) as its name and value, in order, then, for
 * the two array options, their length and own elements. Only `now` is read again on every call (the clock when it
 * is absent, the Date's time when it is a Date), exactly as validation reads it. An options object is remembered
 * only when the snapshot is all that validation depends on: primitive values, a `now` Date, arrays of primitives,
 * and data properties only (a getter could answer differently on the next read). A key, backend, product or facts
 * given as an object, which its owner may change in place, is validated on every call.
 */
import { ownValue, resolveNow } from './rules/options.ts';
import type { Shared, SharedSource } from './verify.ts';

interface SharedMemo {
  readonly snapshot: readonly unknown[];
  readonly shared: Shared;
}

const isPrimitive = (value: unknown): boolean => (typeof value !== 'object' || value === null) && typeof value !== 'function';

/** Everything validation reads from `options`, as a flat list to compare item by item; `null` when that is not all it reads. */
function optionsSnapshot(options: object): unknown[] | null {
  const out: unknown[] = [];
  for (const name of Object.getOwnPropertyNames(options)) {
    const value: unknown = (options as Record<string, unknown>)[name];
    out.push(name, value);
    if ((name === 'requireFeatures' || name === 'algorithms') && Array.isArray(value)) {
      out.push(value.length);
      for (let i = 0; i < value.length; i++) {
        const element: unknown = Object.hasOwn(value, i) ? value[i] : undefined;
        if (!isPrimitive(element)) return null;
        out.push(element);
      }
    } else if (!isPrimitive(value) && !(name === 'now' && value instanceof Date)) return null;
  }
  return out;
}

/** True when `options` would give exactly `snapshot` (see {@link optionsSnapshot}), compared item by item as it is read. */
function matches(options: object, snapshot: readonly unknown[]): boolean {
  // Each value read by name, in the names' order, each array's elements right after it: the order validation reads
  // them in (one `Object.values` call was a little faster, but it reads every value before any element, and pairs
  // its list with a second listing of the keys, which a Proxy may give in another order: both could pass a stale memo).
  const names = Object.getOwnPropertyNames(options);
  let at = 0;
  for (let n = 0; n < names.length; n++) {
    const name = names[n]!;
    const value: unknown = (options as Record<string, unknown>)[name];
    if (snapshot[at] !== name || !Object.is(snapshot[at + 1], value)) return false;
    at += 2;
    if ((name === 'requireFeatures' || name === 'algorithms') && Array.isArray(value)) {
      if (snapshot[at++] !== value.length) return false;
      for (let i = 0; i < value.length; i++) if (!Object.is(snapshot[at++], Object.hasOwn(value, i) ? value[i] : undefined)) return false;
    }
  }
  return at === snapshot.length;
}

function same(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** True when `object` has no accessor property (its values are what a snapshot read, on every read). */
function dataOnly(object: object): boolean {
  const descriptors = Object.getOwnPropertyDescriptors(object);
  for (const name in descriptors) if ('get' in descriptors[name]! || 'set' in descriptors[name]!) return false;
  return true;
}

/** Node's `SharedSource`: the memo described above. */
export const memoizedShared: SharedSource = (options, memos, prepare) => {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) return prepare(options);
  const memo = memos.get(options) as SharedMemo | undefined;
  if (memo !== undefined && matches(options, memo.snapshot)) {
    const { shared } = memo;
    const nowMs = resolveNow(Object.hasOwn(options, 'now') ? (options as { now?: unknown }).now : undefined, Date.now); // ownValue, read by name
    return nowMs === shared.resolved.nowMs ? shared : { ...shared, resolved: { ...shared.resolved, nowMs } };
  }
  const snapshot = optionsSnapshot(options);
  const shared = prepare(options);
  // Remembered only when validation read exactly the snapshot: data properties (the arrays' too), unchanged since.
  const arrays = snapshot === null ? [] : [ownValue(options, 'requireFeatures'), ownValue(options, 'algorithms')].filter(Array.isArray);
  if (snapshot !== null && dataOnly(options) && arrays.every(dataOnly) && same(snapshot, optionsSnapshot(options) ?? [])) memos.set(options, { snapshot, shared });
  else memos.delete(options);
  return shared;
};
