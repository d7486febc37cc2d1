/**
 * The format-neutral license model. Every format adapter (Cryptolens today,
 * the native CBOR format next) maps its verified payload to this shape; the
 * evaluation rules only ever see a `License`.
 *
 * Any field may be `null`: Cryptolens' FieldsToReturn masks fields by nulling
 * them, and older model versions lack some.
 */

/** Feature flag names F1–F8. */
export type FeatureFlag = 'F1' | 'F2' | 'F3' | 'F4' | 'F5' | 'F6' | 'F7' | 'F8';

/** Feature numbers 1–8. */
export type FeatureNumber = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

/** One machine activation recorded in the license. */
export interface ActivatedMachine {
  /** The machine code exactly as recorded (floating ones keep their `floating:` prefix). */
  readonly mid: string;
  /** The machine code without any `floating:` / `floating:overdraft:` prefix. */
  readonly machineCode: string;
  /** True for a floating activation (`floating:` prefix). */
  readonly floating: boolean;
  /** True for a floating overdraft activation (`floating:overdraft:` prefix). */
  readonly overdraft: boolean;
  readonly ip: string | null;
  readonly time: Date | null;
  readonly friendlyName: string | null;
  /** When a floating activation lapses; `null` when not floating or unknown. */
  readonly floatingExpires: Date | null;
}

/** A key/value data object attached to the license. */
export interface DataObject {
  readonly id: number | null;
  readonly name: string | null;
  readonly stringValue: string | null;
  readonly intValue: number | null;
}

/** A customer or reseller record: known fields mapped, the rest kept. */
export interface Party {
  readonly id: number | null;
  readonly name: string | null;
  readonly email: string | null;
  readonly companyName: string | null;
  readonly created: Date | null;
  /** Fields licensekit does not model, kept verbatim. */
  readonly extra: Readonly<Record<string, unknown>>;
}

/** A verified license's claims, independent of the file format it came in. */
export interface License {
  /** The format the license was read from. */
  readonly format: 'cryptolens';
  readonly productId: number | null;
  readonly id: number | null;
  readonly key: string | null;
  readonly created: Date | null;
  readonly expires: Date | null;
  /** License period in days (static; Cryptolens does not decrement it). */
  readonly period: number | null;
  /** Feature flags F1–F8 (`null` when masked). */
  readonly features: Readonly<Record<FeatureFlag, boolean | null>>;
  readonly notes: string | null;
  readonly block: boolean | null;
  readonly globalId: number | null;
  readonly customer: Party | null;
  readonly activatedMachines: readonly ActivatedMachine[] | null;
  readonly trialActivation: boolean | null;
  /** 0 means not node-locked. */
  readonly maxNoOfMachines: number | null;
  /** Machine codes allowed even beyond the limit (the newline-separated field, split). */
  readonly allowedMachines: readonly string[] | null;
  readonly dataObjects: readonly DataObject[] | null;
  readonly reseller: Party | null;
  /** When the file was signed. */
  readonly signDate: Date | null;
  /** Payload fields licensekit does not model, kept verbatim (never fatal). */
  readonly extra: Readonly<Record<string, unknown>>;
}

/** The eight flag names in order. */
export const FEATURE_FLAGS: readonly FeatureFlag[] = Object.freeze(['F1', 'F2', 'F3', 'F4', 'F5', 'F6', 'F7', 'F8']);
