/**
 * Issuing Cryptolens-format licenses (SignMethod=1): the payload JSON in
 * Cryptolens' field order with Unix-second dates, base64, and an RS256
 * signature over the payload bytes. What a Cryptolens server's GetKey/Activate
 * would return, made offline by the vendor's own key.
 */
import type { PrivateJwk, SignatureBackend } from '../backends/backend.ts';
import { nodeBackend } from '../backends/node.ts';
import { encodeBase64, encodeUtf8 } from '../lib/bytes.ts';
import { BackendError, OptionError } from '../lib/errors.ts';
import { randomLicenseKey } from '../lib/random-key.ts';
import { FEATURE_FLAGS, type FeatureNumber } from '../license/model.ts';

/** A machine activation to record in an issued license. */
export interface MachineClaim {
  readonly mid: string;
  readonly ip?: string;
  readonly time?: Date;
  readonly friendlyName?: string;
  /** For floating activations (`mid` starting `floating:`). */
  readonly floatingExpires?: Date;
}

/** The claims of a license to issue. Omitted fields take Cryptolens' defaults. */
export interface LicenseClaims {
  readonly productId: number;
  readonly id?: number;
  /** The license key string; a random `XXXXX-XXXXX-XXXXX-XXXXX` when omitted. */
  readonly key?: string;
  readonly created?: Date;
  readonly expires?: Date;
  readonly period?: number;
  /** Granted features by number (F1–F8). */
  readonly features?: readonly FeatureNumber[];
  readonly notes?: string | null;
  readonly block?: boolean;
  readonly globalId?: number;
  readonly customer?: { id: number; name: string; email?: string; companyName?: string; created?: Date } | null;
  readonly activatedMachines?: readonly MachineClaim[];
  readonly trialActivation?: boolean;
  /**
   * The machine limit; 0 = not node-locked. When omitted: the number of
   * activated machines, at least 1 when any machine is activated or allowed
   * (a license that names machines is node-locked unless this says 0).
   */
  readonly maxNoOfMachines?: number;
  readonly allowedMachines?: readonly string[];
  readonly dataObjects?: readonly { id: number; name: string; stringValue?: string; intValue?: number }[];
}

/** Options for signing. */
export interface IssueOptions {
  /** The vendor's private key (JWK). */
  readonly privateJwk: PrivateJwk;
  /** A backend with `sign`; node:crypto (`nodeBackend`) when omitted (the issuer runs on the vendor's Node). */
  readonly backend?: SignatureBackend;
  /** The signing time (SignDate); defaults to the clock. */
  readonly now?: Date;
}

/** Unix seconds of a Date, refusing Invalid Date (it would serialise as null: a perpetual license). */
function seconds(d: Date, field = 'date'): number {
  const ms = d instanceof Date ? d.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) throw new OptionError(`"${field}" must be a valid Date`);
  return Math.floor(ms / 1000);
}
export { randomLicenseKey, type RandomBytes } from '../lib/random-key.ts';

/**
 * `MaxNoOfMachines` to sign. A license that lists machines (activated or
 * allowed) is node-locked unless the vendor explicitly says 0: leaving the
 * count out used to sign 0 for allowed-machines-only claims, which Cryptolens
 * reads as "not node-locked", so any machine passed.
 */
function machineLimit(claims: LicenseClaims): number {
  const { maxNoOfMachines } = claims;
  if (maxNoOfMachines !== undefined) {
    if (!Number.isSafeInteger(maxNoOfMachines) || maxNoOfMachines < 0) throw new OptionError('"maxNoOfMachines" must be a whole number >= 0 (0 = not node-locked)');
    return maxNoOfMachines;
  }
  const listed = (claims.activatedMachines?.length ?? 0) + (claims.allowedMachines?.length ?? 0);
  return listed === 0 ? 0 : Math.max(1, claims.activatedMachines?.length ?? 0);
}

/** Builds the payload object in Cryptolens' field order. */
export function buildCryptolensPayload(claims: LicenseClaims, signDate: Date): Record<string, unknown> {
  if (!Number.isSafeInteger(claims.productId)) throw new OptionError('"productId" must be an integer');
  seconds(signDate, 'now');
  if (claims.period !== undefined && (!Number.isSafeInteger(claims.period) || claims.period < 0)) throw new OptionError('"period" must be a whole number of days');
  const created = claims.created ?? signDate;
  const expires = claims.expires ?? new Date(created.getTime() + (claims.period ?? 30) * 86_400_000);
  const granted = new Set(claims.features ?? []);
  const payload: Record<string, unknown> = {
    ProductId: claims.productId,
    ID: claims.id ?? 1,
    Key: claims.key ?? randomLicenseKey(),
    Created: seconds(created, 'created'),
    Expires: seconds(expires, 'expires'),
    Period: claims.period ?? Math.max(0, Math.round((expires.getTime() - created.getTime()) / 86_400_000)),
  };
  FEATURE_FLAGS.forEach((flag, i) => {
    payload[flag] = granted.has((i + 1) as FeatureNumber);
  });
  Object.assign(payload, {
    Notes: claims.notes ?? null,
    Block: claims.block ?? false,
    GlobalId: claims.globalId ?? 0,
    Customer: claims.customer
      ? {
          Id: claims.customer.id,
          Name: claims.customer.name,
          Email: claims.customer.email ?? null,
          CompanyName: claims.customer.companyName ?? null,
          Created: seconds(claims.customer.created ?? created),
        }
      : null,
    ActivatedMachines: (claims.activatedMachines ?? []).map((m) => ({
      Mid: m.mid,
      IP: m.ip ?? null,
      Time: seconds(m.time ?? signDate),
      FriendlyName: m.friendlyName ?? null,
      FloatingExpires: m.floatingExpires ? seconds(m.floatingExpires) : 0,
    })),
    TrialActivation: claims.trialActivation ?? false,
    MaxNoOfMachines: machineLimit(claims),
    AllowedMachines: (claims.allowedMachines ?? []).join('\n'),
    DataObjects: (claims.dataObjects ?? []).map((d) => ({ Id: d.id, Name: d.name, StringValue: d.stringValue ?? '', IntValue: d.intValue ?? 0 })),
    SignDate: seconds(signDate),
  });
  return payload;
}

/**
 * Signs a payload's exact bytes and returns the saved-response text
 * `{"licenseKey","signature","result":0,"message":""}` (a `.skm` file).
 */
export async function signCryptolensPayload(payloadBytes: Uint8Array, options: IssueOptions): Promise<string> {
  const backend = options.backend ?? nodeBackend;
  const sign = backend.sign;
  if (!sign) throw new BackendError('ERR_BACKEND_UNAVAILABLE', `backend "${backend.name}" cannot sign`);
  const signature = await sign('RS256', options.privateJwk, payloadBytes);
  return JSON.stringify({ licenseKey: encodeBase64(payloadBytes), signature: encodeBase64(signature), result: 0, message: '' });
}

/**
 * Issues a Cryptolens SignMethod=1 license from claims.
 * @example
 * const text = await issueCryptolensLicense({ productId: 3349, features: [1], expires }, { privateJwk });
 */
export async function issueCryptolensLicense(claims: LicenseClaims, options: IssueOptions): Promise<string> {
  const signDate = options.now ?? new Date();
  const payload = buildCryptolensPayload(claims, signDate);
  return signCryptolensPayload(encodeUtf8(JSON.stringify(payload)), options);
}
