/**
 * Feature checks: F1–F8 by number or name, and named entitlements. What a
 * format calls its named features (a native license's entitlement list,
 * Cryptolens' `cryptolens_features` template paths) its adapter has already
 * turned into `license.entitlements`.
 */
import { FEATURE_FLAGS, type License } from '../license/model.ts';
import type { ResolvedFeature } from './options.ts';

export type { ResolvedFeature } from './options.ts';

/** True when the license grants the resolved feature. `entitlements`, when given, is the license's entitlements as a set. */
export function grantsFeature(license: License, feature: ResolvedFeature, entitlements?: ReadonlySet<string>): boolean {
  // FEATURE_FLAGS' names are interned constants; `F${n}` built a new string for every read.
  if (feature.kind === 'flag') return license.features[FEATURE_FLAGS[feature.flag - 1]!] === true;
  return entitlements ? entitlements.has(feature.path) : license.entitlements.includes(feature.path);
}
