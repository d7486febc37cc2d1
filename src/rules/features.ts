/**
 * Feature resolution: F1–F8 by number or name, names from the product's
 * feature definition, and dotted paths in Cryptolens' `cryptolens_features`
 * template data object, e.g. `["ModuleA", ["ModuleB", ["Sub 1", "Sub 2"]]]`.
 * A dotted path must really descend: `ModuleA.X` is not granted just because
 * `ModuleA` is a leaf (some official clients get this wrong).
 */
import type { DataObject, FeatureFlag, FeatureNumber, License } from '../license/model.ts';
import type { FeatureRequirement, ProductDefinition } from './options.ts';

/** The parsed template: a leaf name, or a `[name, children]` pair. */
type TemplateNode = string | [string, TemplateNode[]];

const MAX_TEMPLATE_DEPTH = 16;

function parseNodes(value: unknown, depth: number): TemplateNode[] | null {
  if (!Array.isArray(value) || depth > MAX_TEMPLATE_DEPTH) return null;
  const out: TemplateNode[] = [];
  for (const item of value) {
    if (typeof item === 'string') out.push(item);
    else if (Array.isArray(item) && typeof item[0] === 'string') {
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

/** How a requirement resolved: the flag it maps to, or a template path. */
export type ResolvedFeature = { kind: 'flag'; flag: FeatureNumber } | { kind: 'path'; path: string };

/** Resolves a requirement to a flag number or a template path. */
export function resolveFeature(requirement: FeatureRequirement, product: ProductDefinition): ResolvedFeature {
  if (typeof requirement === 'number') return { kind: 'flag', flag: requirement };
  const names = product.featureNames;
  if (names && Object.hasOwn(names, requirement)) return { kind: 'flag', flag: names[requirement]! };
  const m = /^[Ff]([1-8])$/.exec(requirement);
  if (m) return { kind: 'flag', flag: Number(m[1]) as FeatureNumber };
  return { kind: 'path', path: requirement };
}

/** True when the license grants the resolved feature. */
export function grantsFeature(license: License, feature: ResolvedFeature, template: readonly TemplateNode[] | null): boolean {
  if (feature.kind === 'flag') return license.features[`F${feature.flag}` as FeatureFlag] === true;
  return template !== null && templateHasPath(template, feature.path);
}
