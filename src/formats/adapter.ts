/**
 * The format seam. A license arrives as bytes or text; an ordered list of
 * adapters (`formats/index.ts`) decides by content which one reads it. Each
 * adapter:
 *
 * 1. `detect`s its input cheaply (a prefix, a tag byte), without throwing;
 * 2. `parse`s it into a {@link SignedEnvelope}: the exact signed bytes, the
 *    signature, the algorithm and the key id, plus its unsigned parts;
 * 3. after the core has verified the signature over those bytes, `read`s the
 *    signed payload into the neutral {@link License}.
 *
 * Everything a format owns (its text decoding, its claims, a vendor's own
 * status view) stays in its folder and surfaces through this interface: the
 * rules never learn which format a license came in.
 */
import type { SignedEnvelope } from '../core/envelope.ts';
import type { SignatureAlgorithm } from '../lib/algorithms.ts';
import type { License } from '../license/model.ts';
import type { ResolvedEvaluation } from '../rules/options.ts';
import type { WarningCode } from '../rules/reasons.ts';

/**
 * What the caller said that a format may need to take its input apart: the
 * `algorithms` allow-list (`null`: any). Keygen's RSA signed keys do not say
 * which padding signed them (their policy's scheme does): the list names it.
 */
export interface ParseHints {
  readonly algorithms: readonly SignatureAlgorithm[] | null;
}

/** What `inspect` shows of an envelope, unverified: headers and unsigned parts, as plain data. */
export type EnvelopeView = Readonly<Record<string, unknown>>;

/** A format adapter. `E` is the envelope type it parses. */
export interface FormatAdapter<E extends SignedEnvelope = SignedEnvelope> {
  /** The format's name, as verdicts and `inspect` report it. */
  readonly name: string;
  /** True when `input` is this format's (cheap, never throws). The last adapter in the list may claim anything. */
  detect(input: string | Uint8Array): boolean;
  /** The signed envelope, or a typed error (`LicenseInputError`, `UnsupportedFormatError`); `hints` when verifying (see {@link ParseHints}). */
  parse(input: string | Uint8Array, hints?: ParseHints): E;
  /**
   * The neutral license from an envelope whose signature verified (`ERR_PAYLOAD_INVALID` when it is not a license).
   * `options` (the verification's, when it has them) carry what an encrypted format needs to read it (Keygen's `licenseKey`).
   */
  read(envelope: E, options?: ResolvedEvaluation): License;
  /** Warnings the envelope itself carries, whatever the rules say (a SignMethod=0 file's `SIGNED_RESERIALISATION`), or nothing. */
  warnings?(envelope: E): readonly WarningCode[];
  /** The format's own status view of a verified license (Cryptolens' `LicenseStatus`), or nothing. */
  status?(license: License, options: ResolvedEvaluation): unknown;
  /** The envelope's headers and unsigned parts, for `inspect` (unverified). */
  view(envelope: E): EnvelopeView;
}

/** An envelope together with the adapter that parsed it (and will read it). */
export interface Parsed<E extends SignedEnvelope = SignedEnvelope> {
  readonly adapter: FormatAdapter<E>;
  readonly envelope: E;
}
