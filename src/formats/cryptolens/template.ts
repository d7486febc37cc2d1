/**
 * Cryptolens' `cryptolens_features` template: a data object whose string value
 * is a JSON tree of feature names, e.g. `["ModuleA", ["ModuleB", ["Sub 1",
 * "Sub 2"]]]`. The adapter turns it into the license's entitlements, one
 * dotted path per node (`ModuleA`, `ModuleB`, `ModuleB.Sub 1`, …), so the
 * rules check named features the same way for every format. A path exists
 * only where the tree really descends: `ModuleA.X` is not granted because
 * `ModuleA` is a leaf (some official clients get this wrong).
 */
import type { CryptolensDataObject } from './claims.ts';

/** The data object's name. */
export const TEMPLATE_NAME = 'cryptolens_features';

const MAX_DEPTH = 16;
/** More nodes than this is not a feature template but an attack on memory: it grants nothing. */
const MAX_NODES = 4096;

/**
 * The template's paths in document order, or `[]` when the license has no
 * template or it is malformed (a malformed template grants nothing).
 */
export function templateEntitlements(dataObjects: readonly CryptolensDataObject[] | null): readonly string[] {
  const object = dataObjects?.find((d) => d.name === TEMPLATE_NAME);
  if (!object || !object.stringValue || object.stringValue.trim() === '') return NONE;
  let tree: unknown;
  try {
    tree = JSON.parse(object.stringValue);
  } catch {
    return NONE;
  }
  const out: string[] = [];
  return walk(tree, '', 0, out) ? Object.freeze(out) : NONE;
}

const NONE: readonly string[] = Object.freeze([]);

/** Appends the paths under `value` (an array of nodes) to `out`; false when the tree is malformed or too large. */
function walk(value: unknown, prefix: string, depth: number, out: string[]): boolean {
  if (!Array.isArray(value) || depth > MAX_DEPTH) return false;
  for (let i = 0; i < value.length; i++) {
    // Own elements only: an inherited index (prototype pollution) is not a name.
    const item: unknown = Object.hasOwn(value, i) ? value[i] : undefined;
    let name: unknown;
    let children: unknown = undefined;
    if (typeof item === 'string') name = item;
    else if (Array.isArray(item) && item.length > 0 && Object.hasOwn(item, 0) && typeof item[0] === 'string') {
      name = item[0];
      if (item.length > 1) children = Object.hasOwn(item, 1) ? item[1] : undefined;
    } else return false;
    const path = prefix === '' ? (name as string) : `${prefix}.${name as string}`;
    out.push(path);
    if (out.length > MAX_NODES) return false;
    if (children !== undefined && !walk(children, path, depth + 1, out)) return false;
  }
  return true;
}
