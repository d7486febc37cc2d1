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
  if (dataObjects === null) return NONE;
  let text: string | null = null;
  for (let i = 0; i < dataObjects.length; i++) {
    if (dataObjects[i]!.name === TEMPLATE_NAME) {
      text = dataObjects[i]!.stringValue;
      break;
    }
  }
  if (!text) return NONE;
  // A template's paths depend on its text alone, and strings are immutable: a
  // program that verifies the same license (or licenses of one product) again
  // parses the template once. The answer is a frozen array, safe to share.
  const hit = byText.get(text);
  if (hit !== undefined) return hit;
  const paths = parseTemplate(text);
  if (text.length <= MAX_CACHED_TEXT) {
    if (byText.size >= MAX_CACHED) byText.delete(byText.keys().next().value!);
    byText.set(text, paths);
  }
  return paths;
}

const NONE: readonly string[] = Object.freeze([]);
const MAX_CACHED = 16;
/** Longer templates are parsed every time rather than held in memory. */
const MAX_CACHED_TEXT = 16 * 1024;
const byText = new Map<string, readonly string[]>();

function parseTemplate(text: string): readonly string[] {
  if (text.trim() === '') return NONE;
  let tree: unknown;
  try {
    tree = JSON.parse(text);
  } catch {
    return NONE;
  }
  const out: string[] = [];
  return walk(tree, '', 0, out) ? Object.freeze(out) : NONE;
}

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
