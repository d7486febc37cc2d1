/**
 * The local memory of an installed program: the licenses it activated, the
 * bindings their policies ask for (a client-mode licensee secret, an HWID),
 * the latest trusted time, and the vendor's revocation list, kept in a
 * {@link StateStore} as a sealed document (`document.ts`).
 *
 * Every operation is a read-modify-write under the store's lock, so two
 * copies of a program never lose each other's binding. The rules stay pure:
 * this layer reads the facts (`trustedTimeMs`, bindings, revocations) and
 * passes them to the verification as the `facts` option.
 */
import type { SignatureBackend } from '../backends/backend.ts';
import { StateError, OptionError } from '../lib/errors.ts';
import { decodeUtf8, encodeUtf8, toHex } from '../lib/bytes.ts';
import { importKeyRing, type KeyRing, type KeyRingInput } from '../keys/ring.ts';
import type { Verdict, VerifyOptions } from '../verify.ts';
import type { EvaluationOptions } from '../rules/options.ts';
import { hwidToBind, secretToBind } from '../rules/state-rules.ts';
import { emptyDocument, MAX_PENDING_REQUESTS, MAX_USED_NONCES, sealDocument, stateMacKey, unsealDocument, type DeviceKeyPair, type StateDocument, type StoredLicense } from './document.ts';
import { ActivationError } from '../lib/errors.ts';
import { randomBytes } from '../backends/purejs/random.ts';
import { check as checkResult, type CheckResult } from '../rules/check-result.ts';
import type { ReasonCode } from '../rules/reasons.ts';
import { nativeAdapter } from '../formats/native/index.ts';
import { NATIVE_CLAIMS } from '../formats/native/claims.ts';
import { decodeClaims } from '../formats/native/read.ts';
import { deviceKeyId, devicePublicJwk, generateDeviceKey, signAsDevice } from '../activation/device.ts';
import { armorRequest, fieldText, MAX_FINGERPRINT_LENGTH, requestClaims, SEQUENCE_BYTES, sequencedNonce } from '../activation/request.ts';
import { armorReceipt, receiptClaims } from '../activation/receipt.ts';
import { verifyVendorMessage } from './messages.ts';
import type { StateStore } from './store/store.ts';

/** Evidence of the real time read from the machine (files modified later than the clock claims). */
export interface ClockEvidence {
  readonly ms: number;
  readonly source: string;
}

/** How to open a program's state. */
export interface LicenseStateOptions {
  /** The program's name (part of the state's identity and MAC). */
  readonly program: string;
  /** The vendor's public key or key ring (the first key's id names the state). */
  readonly key: KeyRingInput;
  /** Where the state lives. */
  readonly store: StateStore;
  /** This machine's code: the state's MAC is bound to it, so a state copied to another machine is refused. */
  readonly machineCode: string;
  /** A state whose MAC does not match: refuse (`ERR_STATE_TAMPERED`, default) or start over and say so (warning `STATE_TAMPERED`). */
  readonly onTampered?: 'refuse' | 'start-over';
  /** The entry's `verifyLicense` (node:crypto in Node, WebCrypto in browsers). */
  readonly verifyLicense: (input: string | Uint8Array, options: VerifyOptions) => Promise<Verdict>;
  /** The backend that verifies vendor messages. */
  readonly backend: SignatureBackend;
  /** Reads evidence of the real time on a first run (no trusted time yet); `null` when there is none. */
  readonly clockEvidence?: (nowMs: number) => Promise<ClockEvidence | null>;
}

/** Options of a check: the evaluation options, plus what the state binds. */
export type StateCheckOptions = Omit<EvaluationOptions, 'facts'>;

/** A verdict with what the state did. */
export interface StateVerdict {
  readonly verdict: Verdict;
  /** The license key it is stored under. */
  readonly licenseKey: string | null;
  /** What this check bound (`secret`, `hwid`), if anything. */
  readonly bound: readonly ('secret' | 'hwid')[];
  /** State-level warnings (`STATE_TAMPERED` when the state was started over). */
  readonly stateWarnings: readonly string[];
}

/** Whop's answers, for integrators coming from there: 201 valid, 400 mismatch (needs a reset), 404 not found; 403 otherwise not valid. */
export type ValidationOutcome = 'valid' | 'mismatch' | 'not-found' | 'invalid';

/** What `validate` answers. */
export interface ValidationResult {
  readonly licenseKey: string;
  readonly outcome: ValidationOutcome;
  readonly status: 201 | 400 | 403 | 404;
  readonly valid: boolean;
  readonly reasons: readonly string[];
  readonly verdict: Verdict | null;
  readonly bound: readonly ('secret' | 'hwid')[];
  readonly stateWarnings: readonly string[];
}

/** What `importMessage` did. */
export type ImportResult =
  | { readonly kind: 'reset'; readonly licenseKey: string; readonly counter: number }
  | { readonly kind: 'revocations'; readonly sequence: number; readonly revoked: number };

/** What the state holds, as plain data (bindings only as salted hashes). */
export interface StateStatus {
  readonly program: string;
  readonly vendorKeyId: string;
  readonly trustedTime: string | null;
  readonly vendorSignedTime: string | null;
  readonly licenses: ReadonlyArray<{ readonly licenseKey: string; readonly activatedAt: string; readonly secretHash: string | null; readonly hwidHash: string | null; readonly resetCounter: number }>;
  readonly revocations: { readonly sequence: number; readonly issuedAt: string; readonly revoked: number } | null;
  /** This state's device key id (RFC 7638 thumbprint), or null before the first activation request made one. */
  readonly deviceKeyId: string | null;
  /** How many activation requests this state made whose response it has not activated yet (at most 16 are kept). */
  readonly pendingRequests: number;
  readonly verified: boolean;
  readonly warnings: readonly string[];
}

/** This state's device key, public half. */
export interface DeviceKeyInfo {
  /** RFC 7638 thumbprint of the device key. */
  readonly keyId: string;
  readonly publicJwk: { readonly kty: 'OKP'; readonly crv: 'Ed25519'; readonly x: string };
}

/** What to ask for in an activation request. */
export interface RequestActivationOptions {
  readonly licenseKey: string;
  /** The product (digits for a numeric product id). */
  readonly productId?: string | number;
  /** This machine's recorded fingerprint, serialised (salted hashes only: `serializeFingerprint(recordFingerprint(…))`). */
  readonly fingerprint?: string;
  readonly now?: Date | number;
}

/** A signed file the state made (a request or a receipt), armoured and as bytes. */
export interface SignedExchangeFile {
  readonly text: string;
  readonly bytes: Uint8Array;
  readonly licenseKey: string;
  /** The request's nonce or the receipt's id (hex). */
  readonly nonce: string;
  readonly deviceKeyId: string;
}

/** The activation claims a verified response carries, read from its verified payload. */
function activationClaims(bytes: Uint8Array): { nonce: Uint8Array | null; deviceKeyId: string | null } {
  const claims = decodeClaims(nativeAdapter.parse(bytes).cose.payload);
  const nonce = claims.get(NATIVE_CLAIMS.nonce.key);
  const device = claims.get(NATIVE_CLAIMS.deviceKeyId.key);
  return { nonce: nonce instanceof Uint8Array ? nonce : null, deviceKeyId: typeof device === 'string' ? device : null };
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

/** How far past the clock a file's modification time must be to count as evidence of a rollback (first run). */
export const EVIDENCE_MARGIN_MS = 10 * 60_000;

const hex = (b: Uint8Array | null) => (b === null ? null : toHex(b));
const iso = (ms: number) => (ms === 0 ? null : new Date(ms).toISOString());

/** The check's time as whole epoch milliseconds (the state stores whole, non-negative milliseconds). */
function nowOf(options: unknown): number {
  if (typeof options !== 'object' || options === null) throw new OptionError('"options" must be an object');
  const now = Object.hasOwn(options, 'now') ? (options as { now?: unknown }).now : undefined;
  const ms = now === undefined ? Date.now() : now instanceof Date ? now.getTime() : now;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > 8.64e15) throw new OptionError('"now" must be a valid Date or epoch milliseconds, not before 1970');
  return Math.floor(ms);
}

/** A license or message given as text or bytes (a copy the state owns). */
function inputBytes(input: unknown, what: string): Uint8Array {
  if (typeof input === 'string') return encodeUtf8(input);
  if (input instanceof Uint8Array) return input.slice();
  throw new OptionError(`the ${what} must be text or a Uint8Array`);
}

/** A program's local license state. Open it with {@link openLicenseState}. */
export class LicenseState {
  readonly #options: LicenseStateOptions;
  readonly #ring: KeyRing;
  readonly #macKey: Uint8Array;
  readonly vendorKeyId: string;

  /** @internal */
  constructor(options: LicenseStateOptions, ring: KeyRing) {
    this.#options = options;
    this.#ring = ring;
    this.vendorKeyId = ring.entries[0]!.kid;
    this.#macKey = stateMacKey(this.vendorKeyId, options.program, options.machineCode);
  }

  /** Opens the current document under the lock and applies `change`; returns what `change` returns. */
  async #transact<T>(change: (doc: StateDocument, warnings: string[]) => Promise<{ doc: StateDocument | null; result: T }>): Promise<T> {
    let result: T | undefined;
    const refuse = (this.#options.onTampered ?? 'refuse') === 'refuse';
    await this.#options.store.update(async (current, context) => {
      const warnings: string[] = [];
      let doc = emptyDocument(this.#options.program, this.vendorKeyId);
      // A completed write never leaves a damaged newest generation (the store writes a new name, fsyncs and renames),
      // so one that is damaged, or all of them, means someone edited the files: undoing a write by damaging it is tampering too.
      if (context.startedOver || context.fellBack) {
        const what = context.startedOver ? 'no state file is intact' : 'the newest state file is damaged (an older one is intact)';
        if (refuse) throw new StateError('ERR_STATE_TAMPERED', `${what}: the state files were edited`);
        warnings.push('STATE_TAMPERED');
        current = null;
      }
      if (current !== null) {
        const opened = unsealDocument(current, this.#macKey, { program: this.#options.program, vendorKeyId: this.vendorKeyId });
        if (opened.ok) doc = opened.document;
        else if (opened.problem === 'newer-version') throw new StateError('ERR_STATE_VERSION', opened.detail);
        else if (refuse) throw new StateError('ERR_STATE_TAMPERED', opened.detail);
        else warnings.push('STATE_TAMPERED');
      }
      const out = await change(doc, warnings);
      result = out.result;
      return out.doc === null && warnings.length === 0 ? undefined : sealDocument(out.doc ?? doc, this.#macKey);
    }, { onUnreadable: 'start-over' });
    return result as T;
  }

  /** The facts the rules need, from the document and, on a first run (no check has set a mark yet), the machine's evidence of the time. */
  async #facts(doc: StateDocument, stored: StoredLicense | undefined, nowMs: number, firstRun: boolean) {
    const read = firstRun && this.#options.clockEvidence ? await this.#options.clockEvidence(nowMs) : null;
    // Files are written all the time: only a modification well after the clock's claim is evidence of a clock set back.
    const evidence = read !== null && read.ms > nowMs + EVIDENCE_MARGIN_MS ? read : null;
    return {
      ...(doc.trustedTimeMs > 0 ? { trustedTimeMs: doc.trustedTimeMs } : {}),
      ...(evidence ? { clockEvidence: evidence } : {}),
      boundSecretHash: stored?.secretHash ?? null,
      boundHwidHash: stored?.hwidHash ?? null,
      revoked: doc.revocations ? new Set(doc.revocations.revoked) : null,
      ...(doc.revocations ? { revocationSequence: doc.revocations.sequence } : {}),
    };
  }

  /** Verifies `license` with every rule, the state's included, and the new time mark and bindings when it passes. */
  async #check(doc: StateDocument, license: Uint8Array, stored: StoredLicense | undefined, given: StateCheckOptions, nowMs: number, verified?: Verdict) {
    const verify = this.#options.verifyLicense;
    // The default HWID is this machine's code (a license that binds none ignores it).
    const options: StateCheckOptions = given.hwid === undefined ? { ...given, hwid: this.#options.machineCode } : given;
    // A newer vendor-signed license resets the mark to its signing time: a clock once wrongly far ahead does not lock the user out for ever.
    const first = verified ?? (await verify(license, { key: this.#options.key, now: nowMs }));
    let markDoc = doc;
    const signedMs = first.license?.signDate?.getTime() ?? 0;
    if (first.license !== null && signedMs > doc.vendorSignedMs) markDoc = { ...doc, trustedTimeMs: signedMs, vendorSignedMs: signedMs };
    const verdict = await verify(license, { ...options, key: this.#options.key, now: nowMs, facts: await this.#facts(markDoc, stored, nowMs, doc.trustedTimeMs === 0) } as VerifyOptions);
    const bound: ('secret' | 'hwid')[] = [];
    let entry: StoredLicense | undefined = stored;
    if (verdict.license !== null && verdict.valid) {
      const secret = stored?.secretHash ? null : secretToBind(verdict.license, options);
      const hwid = stored?.hwidHash ? null : hwidToBind(verdict.license, options);
      if (secret) bound.push('secret');
      if (hwid) bound.push('hwid');
      entry = { license, secretHash: stored?.secretHash ?? secret, hwidHash: stored?.hwidHash ?? hwid, resetCounter: stored?.resetCounter ?? 0, activatedAtMs: stored?.activatedAtMs ?? nowMs };
    }
    // The mark never moves back, and a check whose clock is behind it does not move it.
    const rolledBack = verdict.reasons.includes('CLOCK_ROLLED_BACK' as never);
    const mark = rolledBack ? markDoc.trustedTimeMs : Math.max(markDoc.trustedTimeMs, nowMs);
    return { verdict, bound, entry, doc: { ...markDoc, trustedTimeMs: mark } };
  }

  /**
   * Verifies a license with every rule (the state's included), stores it and
   * binds what its policy asks to bind (a client-mode secret, the HWID).
   * Nothing is stored when the license is not valid.
   */
  async activate(input: string | Uint8Array, options: StateCheckOptions = {}): Promise<StateVerdict> {
    const bytes = inputBytes(input, 'license');
    const nowMs = nowOf(options);
    return this.#transact<StateVerdict>(async (doc, warnings) => {
      const peek = await this.#options.verifyLicense(bytes, { key: this.#options.key, now: nowMs });
      const licenseKey = peek.license?.key ?? null;
      const stored = licenseKey === null ? undefined : doc.licenses.get(licenseKey);
      if (stored !== undefined && peek.license !== null) {
        // Never replace a license with one signed before it: an old copy would bring back an old policy (no secret, no HWID binding).
        const held = (await this.#options.verifyLicense(stored.license, { key: this.#options.key, now: nowMs })).license?.signDate?.getTime() ?? 0;
        const offered = peek.license.signDate?.getTime() ?? 0;
        if (offered < held) throw new StateError('ERR_MESSAGE_INVALID', `this license for ${JSON.stringify(licenseKey)} was signed ${new Date(offered).toISOString()}, before the one the state holds (${new Date(held).toISOString()}): not replaced`);
      }
      // An activation response (it carries a request's nonce) must answer a request of this state, once, for this device and machine.
      // Only a native license can be one (a Cryptolens file carries no such claims).
      const exchange = peek.license === null || peek.format !== 'native' ? null : activationClaims(bytes);
      const response = exchange !== null && (exchange.nonce !== null || exchange.deviceKeyId !== null) ? exchange : null;
      const given = response !== null && options.machineCode === undefined ? { ...options, machineCode: this.#options.machineCode } : options;
      const checked = await this.#check(doc, bytes, stored, given, nowMs, peek);
      const { bound, entry } = checked;
      let { verdict, doc: next } = checked;
      if (response !== null && licenseKey !== null) {
        const extra = this.#exchangeChecks(doc, response, licenseKey);
        const reasons = extra.filter((c) => c.ok === false).map((c) => c.reason!);
        verdict = { ...verdict, valid: (verdict.valid && reasons.length === 0) as false, reasons: [...verdict.reasons, ...reasons], checks: [...verdict.checks, ...extra] };
        if (verdict.valid) {
          const pendingRequests = (next.pendingRequests ?? []).filter((p) => !sameBytes(p.nonce, response.nonce!));
          const usedNonces = [...(next.usedNonces ?? []), { nonce: response.nonce!, atMs: nowMs }].slice(-MAX_USED_NONCES);
          next = { ...next, pendingRequests, usedNonces };
        }
      }
      if (!verdict.valid || licenseKey === null || entry === undefined) return { doc: null, result: { verdict, licenseKey, bound: [], stateWarnings: warnings } };
      const licenses = new Map(next.licenses);
      licenses.set(licenseKey, entry);
      return { doc: { ...next, licenses }, result: { verdict, licenseKey, bound, stateWarnings: warnings } };
    });
  }

  /** The checks an activation response adds: its nonce answers a pending request of this state (not one already used), and it is bound to this state's device key. */
  #exchangeChecks(doc: StateDocument, response: { nonce: Uint8Array | null; deviceKeyId: string | null }, licenseKey: string): CheckResult[] {
    const fail = (name: CheckResult['check'], reason: ReasonCode, detail: string) => checkResult(name, false, reason, detail);
    const nonce = response.nonce;
    const pending = nonce === null ? undefined : (doc.pendingRequests ?? []).find((p) => sameBytes(p.nonce, nonce) && p.licenseKey === licenseKey);
    const used = nonce !== null && (doc.usedNonces ?? []).some((u) => sameBytes(u.nonce, nonce));
    const nonceCheck =
      pending !== undefined ? checkResult('nonce', true, undefined, `answers the request made ${new Date(pending.atMs).toISOString()}`)
      : used ? fail('nonce', 'ACTIVATION_NONCE_USED', 'this response was activated before: a response is accepted once')
      : fail('nonce', 'ACTIVATION_NONCE_UNKNOWN', nonce === null ? 'the response carries no request nonce' : 'no pending request of this state has this nonce: the response answers another machine\'s or state\'s request');
    const mine = doc.device ? deviceKeyId(doc.device.publicKey) : null;
    const deviceCheck =
      mine !== null && response.deviceKeyId === mine ? checkResult('device', true, undefined, `bound to this state's device key ${mine}`)
      : fail('device', 'DEVICE_MISMATCH', `bound to device key ${response.deviceKeyId ?? '(none)'}, not this state's (${mine ?? 'no device key yet'})`);
    return [nonceCheck, deviceCheck];
  }

  /** The device key, made (and stored) if the state has none yet. */
  #withDevice(doc: StateDocument): { doc: StateDocument; device: DeviceKeyPair } {
    if (doc.device) return { doc, device: doc.device };
    const device = generateDeviceKey();
    return { doc: { ...doc, device }, device };
  }

  /** This state's device key (public half and id), generated once on first use. */
  async deviceKey(): Promise<DeviceKeyInfo> {
    return this.#transact<DeviceKeyInfo>(async (doc) => {
      const { doc: next, device } = this.#withDevice(doc);
      return { doc: next === doc ? null : next, result: { keyId: deviceKeyId(device.publicKey), publicJwk: devicePublicJwk(device.publicKey) } };
    });
  }

  /**
   * Makes an activation request for the vendor (offline activation): signed
   * by this state's device key, carrying the license key, product, this
   * machine's code and recorded fingerprint, a fresh nonce and the time. The
   * nonce is kept as pending (at most 16; the oldest is dropped) until a
   * response to it is activated.
   */
  async requestActivation(options: RequestActivationOptions): Promise<SignedExchangeFile> {
    if (typeof options !== 'object' || options === null) throw new OptionError('"options" must be an object with "licenseKey"');
    const nowMs = nowOf(options);
    const opt = (name: string): unknown => (Object.hasOwn(options, name) ? (options as unknown as Record<string, unknown>)[name] : undefined);
    const asOption = <T>(read: () => T): T => {
      try {
        return read();
      } catch (error) {
        if (error instanceof ActivationError) throw new OptionError(error.message.replace('activation request: ', ''));
        throw error;
      }
    };
    const licenseKey = asOption(() => fieldText(opt('licenseKey'), 'licenseKey'));
    const product = opt('productId');
    if (product !== undefined && !(typeof product === 'string' || (typeof product === 'number' && Number.isSafeInteger(product) && product >= 0))) throw new OptionError('"productId" must be text or a whole number');
    const productId = product === undefined ? null : asOption(() => fieldText(String(product), 'productId'));
    const fp = opt('fingerprint');
    const fingerprint = fp === undefined ? null : asOption(() => fieldText(fp, 'fingerprint', MAX_FINGERPRINT_LENGTH));
    const random = randomBytes(16 - SEQUENCE_BYTES, 'draw a request nonce');
    return this.#transact<SignedExchangeFile>(async (doc) => {
      const { doc: withDevice, device } = this.#withDevice(doc);
      // Numbered: a receipt names the last request made before it, so one kept while the machine asked again frees nothing.
      const requestCount = (withDevice.requestCount ?? 0) + 1;
      const nonce = sequencedNonce(requestCount, random);
      const bytes = await signAsDevice(device, requestClaims({ licenseKey, productId, machineCode: this.#options.machineCode, fingerprint, nonce, devicePublicKey: device.publicKey }), new Date(nowMs));
      const pendingRequests = [...(withDevice.pendingRequests ?? []), { nonce, licenseKey, atMs: nowMs }].slice(-MAX_PENDING_REQUESTS);
      return { doc: { ...withDevice, pendingRequests, requestCount }, result: { text: armorRequest(bytes), bytes, licenseKey, nonce: toHex(nonce), deviceKeyId: deviceKeyId(device.publicKey) } };
    });
  }

  /**
   * Removes a license from this state and returns a deactivation receipt
   * signed by the device key, for the vendor's ledger to free the seat. The
   * state's pending requests for that license are forgotten with it.
   *
   * @throws {ActivationError} `ERR_ACTIVATION_NOT_HELD` when the state holds no such license.
   */
  async deactivate(licenseKey: string, options: { now?: Date | number } = {}): Promise<SignedExchangeFile> {
    if (typeof licenseKey !== 'string' || licenseKey === '') throw new OptionError('"licenseKey" must be a non-empty string');
    const nowMs = nowOf(options);
    const random = randomBytes(16 - SEQUENCE_BYTES, 'draw a receipt id');
    return this.#transact<SignedExchangeFile>(async (doc) => {
      if (!doc.licenses.has(licenseKey)) throw new ActivationError('ERR_ACTIVATION_NOT_HELD', `this state holds no license ${JSON.stringify(licenseKey)}: nothing to deactivate`);
      const { doc: withDevice, device } = this.#withDevice(doc);
      // The receipt carries the number of the last request made before it (see sequencedNonce).
      const nonce = sequencedNonce(withDevice.requestCount ?? 0, random);
      const bytes = await signAsDevice(device, receiptClaims(licenseKey, nonce), new Date(nowMs));
      const licenses = new Map(withDevice.licenses);
      licenses.delete(licenseKey);
      // Requests for this license still pending are forgotten: a response to one of them, activated after the seat was
      // released, would hold the license without a seat.
      const pendingRequests = (withDevice.pendingRequests ?? []).filter((p) => p.licenseKey !== licenseKey);
      return { doc: { ...withDevice, licenses, pendingRequests }, result: { text: armorReceipt(bytes), bytes, licenseKey, nonce: toHex(nonce), deviceKeyId: deviceKeyId(device.publicKey) } };
    });
  }

  /** Checks a stored license by its key, Whop-style: `valid` (201), `mismatch` (400: bound to another HWID), `not-found` (404), `invalid` (403). */
  async validate(licenseKey: string, options: StateCheckOptions = {}): Promise<ValidationResult> {
    if (typeof licenseKey !== 'string' || licenseKey === '') throw new OptionError('"licenseKey" must be a non-empty string');
    const nowMs = nowOf(options);
    return this.#transact<ValidationResult>(async (doc, warnings) => {
      const stored = doc.licenses.get(licenseKey);
      if (stored === undefined) {
        return { doc: null, result: { licenseKey, outcome: 'not-found' as const, status: 404 as const, valid: false, reasons: [], verdict: null, bound: [], stateWarnings: warnings } };
      }
      const { verdict, bound, entry, doc: next } = await this.#check(doc, stored.license, stored, options, nowMs);
      // Whop's 400 means "a reset fixes it": only when the HWID is the one thing wrong.
      const outcome: ValidationOutcome = verdict.valid ? 'valid' : verdict.reasons.length === 1 && (verdict.reasons[0] as string) === 'HWID_MISMATCH' ? 'mismatch' : 'invalid';
      const status = outcome === 'valid' ? 201 : outcome === 'mismatch' ? 400 : 403;
      const licenses = new Map(next.licenses);
      if (entry) licenses.set(licenseKey, entry);
      return { doc: { ...next, licenses }, result: { licenseKey, outcome, status, valid: verdict.valid, reasons: verdict.reasons, verdict, bound, stateWarnings: warnings } };
    });
  }

  /**
   * Imports a vendor message: an HWID reset (clears that license's binding;
   * an older or replayed reset is refused) or a revocation list (a list older
   * than the stored one is refused). A newer vendor-signed message resets the
   * trusted time to its signing time.
   */
  async importMessage(input: string | Uint8Array, options: { now?: Date | number } = {}): Promise<ImportResult> {
    nowOf(options);
    const { message } = await verifyVendorMessage(typeof input === 'string' ? input : inputBytes(input, 'message'), this.#ring, this.#options.backend);
    const signedMs = message.issuedAt.getTime();
    return this.#transact<ImportResult>(async (doc) => {
      const marked = signedMs > doc.vendorSignedMs ? { ...doc, trustedTimeMs: signedMs, vendorSignedMs: signedMs } : doc;
      if (message.type === 'reset') {
        const stored = doc.licenses.get(message.licenseKey);
        if (stored === undefined) throw new StateError('ERR_MESSAGE_INVALID', `the reset names license ${JSON.stringify(message.licenseKey)}, which this state does not hold`);
        if (message.counter <= stored.resetCounter) throw new StateError('ERR_MESSAGE_INVALID', `reset ${message.counter} is not newer than the last one imported (${stored.resetCounter}): replayed or out of date`);
        const licenses = new Map(doc.licenses);
        licenses.set(message.licenseKey, { ...stored, hwidHash: null, resetCounter: message.counter });
        return { doc: { ...marked, licenses }, result: { kind: 'reset' as const, licenseKey: message.licenseKey, counter: message.counter } };
      }
      if (doc.revocations && message.sequence <= doc.revocations.sequence) {
        throw new StateError('ERR_MESSAGE_INVALID', `revocation list ${message.sequence} is not newer than the stored list ${doc.revocations.sequence}`);
      }
      return {
        doc: { ...marked, revocations: { sequence: message.sequence, issuedAtMs: signedMs, revoked: message.revoked } },
        result: { kind: 'revocations' as const, sequence: message.sequence, revoked: message.revoked.length },
      };
    });
  }

  /** What the state holds (bindings only as salted hashes), and whether its MAC verified. */
  async status(): Promise<StateStatus> {
    let read;
    try {
      read = await this.#options.store.read();
    } catch (error) {
      if (!(error instanceof StateError) || error.code !== 'ERR_STATE_CORRUPT') throw error;
      // No state file is intact: what the next operation refuses as tampering (or starts over from).
      const empty = emptyDocument(this.#options.program, this.vendorKeyId);
      return { program: empty.program, vendorKeyId: empty.vendorKeyId, trustedTime: null, vendorSignedTime: null, licenses: [], revocations: null, deviceKeyId: null, pendingRequests: 0, verified: false, warnings: ['STATE_TAMPERED'] };
    }
    const warnings: string[] = [];
    let doc = emptyDocument(this.#options.program, this.vendorKeyId);
    let verified = true;
    if (read !== null) {
      const opened = unsealDocument(read.bytes, this.#macKey, { program: this.#options.program, vendorKeyId: this.vendorKeyId });
      if (opened.ok) doc = opened.document;
      else {
        verified = false;
        warnings.push(opened.problem === 'tampered' ? 'STATE_TAMPERED' : `STATE_UNREADABLE: ${opened.detail}`);
      }
      if (read.fellBack) {
        // The newest file is damaged: what the next operation refuses as tampering (or starts over from).
        verified = false;
        if (!warnings.includes('STATE_TAMPERED')) warnings.push('STATE_TAMPERED');
      }
    }
    return {
      program: doc.program,
      vendorKeyId: doc.vendorKeyId,
      trustedTime: iso(doc.trustedTimeMs),
      vendorSignedTime: iso(doc.vendorSignedMs),
      licenses: [...doc.licenses].map(([licenseKey, l]) => ({ licenseKey, activatedAt: new Date(l.activatedAtMs).toISOString(), secretHash: hex(l.secretHash), hwidHash: hex(l.hwidHash), resetCounter: l.resetCounter })),
      revocations: doc.revocations ? { sequence: doc.revocations.sequence, issuedAt: new Date(doc.revocations.issuedAtMs).toISOString(), revoked: doc.revocations.revoked.length } : null,
      deviceKeyId: doc.device ? deviceKeyId(doc.device.publicKey) : null,
      pendingRequests: doc.pendingRequests?.length ?? 0,
      verified,
      warnings,
    };
  }

  /** The stored license's text (armoured or JSON), for display. */
  static licenseText(bytes: Uint8Array): string | null {
    return decodeUtf8(bytes);
  }
}

/** Opens (lazily: nothing is read until the first operation) a program's license state. */
export function openLicenseState(options: LicenseStateOptions): LicenseState {
  if (typeof options !== 'object' || options === null) throw new OptionError('"options" must be an object');
  for (const name of ['program', 'machineCode'] as const) {
    if (typeof options[name] !== 'string' || options[name] === '') throw new OptionError(`"${name}" must be a non-empty string`);
  }
  if (typeof options.store !== 'object' || options.store === null) throw new OptionError('"store" must be a StateStore (FileStore, MemoryStore, IndexedDbStore)');
  if (options.onTampered !== undefined && options.onTampered !== 'refuse' && options.onTampered !== 'start-over') throw new OptionError('"onTampered" must be "refuse" or "start-over"');
  return new LicenseState(options, importKeyRing(options.key));
}
