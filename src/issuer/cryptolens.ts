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
  /** 0 = not node-locked. */
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
const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** A random Cryptolens-style key `XXXXX-XXXXX-XXXXX-XXXXX` from the host CSPRNG. */
export function randomLicenseKey(): string {
  const random = globalThis.crypto?.getRandomValues;
  if (!random) throw new BackendError('ERR_BACKEND_UNAVAILABLE', 'no CSPRNG (crypto.getRandomValues) to make a license key');
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(20));
  const chars = Array.from(bytes, (b) => KEY_ALPHABET[b % 26]!).join('');
  return chars.match(/.{5}/g)!.join('-');
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
    MaxNoOfMachines: claims.maxNoOfMachines ?? (claims.activatedMachines?.length ?? 0),
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
