/**
 * Feature resolution: F1–F8 by number or name, names from the product's
 * feature definition, and dotted paths in Cryptolens' `cryptolens_features`
 * template data object, e.g. `["ModuleA", ["ModuleB", ["Sub 1", "Sub 2"]]]`.
 * A dotted path must really descend: `ModuleA.X` is not granted just because
 * `ModuleA` is a leaf (some official clients get this wrong).
 */
import type { DataObject, FeatureFlag, License } from '../license/model.ts';
import type { ResolvedFeature } from './options.ts';

export type { ResolvedFeature } from './options.ts';

/** The parsed template: a leaf name, or a `[name, children]` pair. */
type TemplateNode = string | [string, TemplateNode[]];

const MAX_TEMPLATE_DEPTH = 16;

function parseNodes(value: unknown, depth: number): TemplateNode[] | null {
  if (!Array.isArray(value) || depth > MAX_TEMPLATE_DEPTH) return null;
  const out: TemplateNode[] = [];
  for (const item of value) {
    if (typeof item === 'string') out.push(item);
    // `length` first: `[]` has no own [0], and an inherited one (prototype pollution) is not a name.
    else if (Array.isArray(item) && item.length > 0 && typeof item[0] === 'string') {
      const children = item.length > 1 ? parseNodes(item[1], depth + 1) : [];
      if (!children) return null;
      out.push([item[0], children]);
    } else return null;
  }
  return out;
}

/** Reads the `cryptolens_features` template from data objects; `null` when absent or malformed. */
export function readFeatureTemplate(dataObjects: readonly DataObject[] | null): TemplateNode[] | null {
  const object = dataObjects?.find((d) => d.name === 'cryptolens_features');
  if (!object || !object.stringValue || object.stringValue.trim() === '') return null;
  try {
    return parseNodes(JSON.parse(object.stringValue), 0);
  } catch {
    return null;
  }
}

/** True when the dotted `path` names a node of the template, descending one level per segment. */
export function templateHasPath(template: readonly TemplateNode[], path: string): boolean {
  let level: readonly TemplateNode[] | null = template;
  for (const segment of path.split('.')) {
    if (!level) return false;
    let next: readonly TemplateNode[] | null | undefined;
    for (const node of level) {
      if (typeof node === 'string' ? node === segment : node[0] === segment) {
        next = typeof node === 'string' ? null : node[1];
        break;
      }
    }
    if (next === undefined) return false;
    level = next;
  }
  return true;
}

/** True when the license grants the resolved feature. */
export function grantsFeature(license: License, feature: ResolvedFeature, template: readonly TemplateNode[] | null): boolean {
  if (feature.kind === 'flag') return license.features[`F${feature.flag}` as FeatureFlag] === true;
  return template !== null && templateHasPath(template, feature.path);
}
