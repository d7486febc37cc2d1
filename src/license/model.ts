/**
 * The neutral license model. Every format adapter (`src/formats/<name>/`)
 * maps its verified payload to this shape, and the rules read only this: it
 * speaks licensing (identity, times, features and entitlements, machine
 * binding, customer), not one vendor's fields. What is a format's own (a
 * Cryptolens `Period` or `GlobalId`, a CWT claim licensekit does not model)
 * is kept verbatim in `claims`.
 *
 * Any field may be `null`: a format may not carry it, and Cryptolens'
 * FieldsToReturn masks fields by nulling them.
 */

/** Feature flag names F1–F8. */
export type FeatureFlag = 'F1' | 'F2' | 'F3' | 'F4' | 'F5' | 'F6' | 'F7' | 'F8';

/** Feature numbers 1–8. */
export type FeatureNumber = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

/** One machine activation recorded in the license. */
export interface ActivatedMachine {
  /** The machine entry exactly as the format recorded it (a Cryptolens floating one keeps its `floating:` prefix). */
  readonly mid: string;
  /** The machine code itself. */
  readonly machineCode: string;
  /** True for a floating activation: it holds only while its lease runs. */
  readonly floating: boolean;
  /** True for a floating overdraft activation (accepted only with `allowOverdraft`). */
  readonly overdraft: boolean;
  readonly ip: string | null;
  readonly time: Date | null;
  readonly friendlyName: string | null;
  /** When a floating activation lapses; `null` when not floating or unknown. */
  readonly floatingExpires: Date | null;
}

/** How a license binds a licensee secret (NetLicensing's modes). */
export type LicenseeSecretMode = 'disabled' | 'predefined' | 'client';

/** The licensee-secret policy a license carries (signed, so a customer cannot downgrade it). */
export interface LicenseeSecretPolicy {
  readonly mode: LicenseeSecretMode;
  /** Predefined mode: HMAC-SHA-256 of the secret keyed by the license id; `null` otherwise. */
  readonly hash: Uint8Array | null;
}

/** A customer or reseller record: known fields mapped, the rest kept. */
export interface Party {
  readonly id: number | string | null;
  readonly name: string | null;
  readonly email: string | null;
  readonly companyName: string | null;
  readonly created: Date | null;
  /** Fields licensekit does not model, kept verbatim. */
  readonly extra: Readonly<Record<string, unknown>>;
}

/** A verified license's claims, independent of the file format it came in. */
export interface License {
  /** The format the license was read from (`cryptolens`, `native`, …). */
  readonly format: string;

  /** The license id: a number (Cryptolens `ID`) or text (a native license's `cti`, in hex). */
  readonly id: number | string | null;
  /** The license key string. */
  readonly key: string | null;
  /** The product as a number, when the format's product id is one. */
  readonly productId: number | null;
  /** The product as text (a native license's audience; Cryptolens' `ProductId` in decimal). */
  readonly product: string | null;
  /** Who issued it (a native license's `iss`). */
  readonly issuer: string | null;

  /** When the license was first issued. */
  readonly created: Date | null;
  /** Not valid before this time. */
  readonly notBefore: Date | null;
  readonly expires: Date | null;
  /** When this copy was signed: signature age and clock checks start here. */
  readonly signDate: Date | null;
  /** The longest this copy may be used after `signDate`, in seconds (the license's own maximum offline age). */
  readonly maxSignatureAgeSeconds: number | null;
  /**
   * When this signed copy stops being valid offline, as an absolute time (NetLicensing's `ttl`): at or
   * before now − tolerance it is `SIGNATURE_EXPIRED`. Optional: a format without one leaves it out
   * (a verified license always has it, `null` when absent).
   */
  readonly signatureExpires?: Date | null;

  /** Feature flags F1–F8 (`null` when masked). Every format can express them. */
  readonly features: Readonly<Record<FeatureFlag, boolean | null>>;
  /** Named entitlements (a native license's list; Cryptolens' `cryptolens_features` template as dotted paths). */
  readonly entitlements: readonly string[];
  /** The vendor blocked (suspended) the license. */
  readonly block: boolean | null;

  /** Machines the license is activated on. */
  readonly activatedMachines: readonly ActivatedMachine[] | null;
  /** Machine codes allowed beyond the limit. */
  readonly allowedMachines: readonly string[] | null;
  /** The machine limit; 0 means not node-locked. */
  readonly maxNoOfMachines: number | null;
  /** A recorded fingerprint (salted hashes) for tolerant matching, as its serialised text. */
  readonly fingerprint: string | null;
  /** How long a floating lease lasts, in seconds. */
  readonly floatingLeaseSeconds: number | null;
  /** The licensee-secret policy, or `null` when the license sets none (the product's option then applies). */
  readonly licenseeSecret: LicenseeSecretPolicy | null;
  /** The first validation binds the HWID (Whop-style keys); a vendor-signed reset clears the binding. */
  readonly bindHwid: boolean;
  /** Days after expiry during which the license stays valid with the warning `EXPIRED_IN_GRACE`, or `null`. */
  readonly graceDays: number | null;

  readonly customer: Party | null;
  readonly notes: string | null;
  /** Free metadata the vendor attached (text keys). */
  readonly metadata: Readonly<Record<string, unknown>>;
  /** The format's own claims, verbatim (null prototype): what the neutral fields above do not model. */
  readonly claims: Readonly<Record<string, unknown>>;
}

/** The eight flag names in order. */
export const FEATURE_FLAGS: readonly FeatureFlag[] = Object.freeze(['F1', 'F2', 'F3', 'F4', 'F5', 'F6', 'F7', 'F8']);

/** An empty, frozen, null-prototype record (for `metadata` and `claims` a format does not fill). */
export const NO_RECORD: Readonly<Record<string, unknown>> = Object.freeze(Object.create(null) as Record<string, unknown>);

/**
 * The machine-binding, local-state, customer and free-text fields of a license whose format carries none of them
 * (a Keygen signed key, a NetLicensing validation): not node-locked, no licensee secret, HWID or grace period.
 */
export const UNBOUND_FIELDS = Object.freeze({
  activatedMachines: null,
  allowedMachines: null,
  maxNoOfMachines: null,
  fingerprint: null,
  floatingLeaseSeconds: null,
  licenseeSecret: null,
  bindHwid: false,
  graceDays: null,
  customer: null,
  notes: null,
  metadata: NO_RECORD,
} as const satisfies Partial<License>);
