/**
 * What the state commands (activate, validate, import, status, verify
 * --state) share: their flags, opening the state they name, the options of a
 * check, and how a state verdict prints. One rule for all of them: the state
 * is `--state DIR`, or the OS's per-user folder for `--program` and the key's
 * id; its MAC and the default HWID are this machine's code under the program
 * name, as `openState` computes them for a program.
 */
import { CliExit, EXIT, type CliIo } from './io.ts';
import { dateFlag } from './args.ts';
import { readPublicKeyFlag } from './key-files.ts';
import { renderTable } from './table.ts';
import { cellText } from './render.ts';
import { terminalSafe } from './terminal-text.ts';
import { FingerprintError, OptionError } from '../lib/errors.ts';
import type { LicenseState, StateCheckOptions, ValidationResult } from '../state/index.node.ts';
import type { Verdict } from '../verify.ts';

/** The program name when `--program` is not given. */
export const DEFAULT_PROGRAM = 'licensekit';

/** Flags every state command takes. */
export const STATE_FLAGS = {
  key: { type: 'string', multiple: true, value: 'KEYFILE' },
  state: { type: 'string', value: 'DIR' },
  program: { type: 'string', value: 'NAME' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Flags of the commands that run a check. */
export const CHECK_FLAGS = {
  hwid: { type: 'string', value: 'VALUE|auto' },
  'licensee-secret': { type: 'string', value: 'SECRET' },
  now: { type: 'string', value: 'ISO-8601' },
} as const;

/** `--help` lines for the state flags. */
export const STATE_FLAGS_HELP = `  --key KEYFILE             vendor public key (<RSAKeyValue> XML, PEM, JWK or a JWK Set; required,
                            repeatable for a key ring; the first key's id is part of the state's MAC)
  --state DIR               the state folder (default: the OS's per-user data folder for --program
                            and the key id: XDG on Linux, Application Support on macOS, LocalAppData
                            on Windows)
  --program NAME            the program the state belongs to, as it calls openState({ program })
                            (default "${DEFAULT_PROGRAM}"); part of the state's MAC, with the key id and
                            this machine's code, so a state opened under another name is "tampered"`;

/** `--help` lines for the check flags. */
export const CHECK_FLAGS_HELP = `  --hwid VALUE|auto         the HWID to check or bind (default auto = this machine's code under
                            --program, as licensekit fingerprint --product NAME prints it); used
                            only by licenses that bind an HWID
  --licensee-secret SECRET  the licensee secret (checked in predefined mode, bound on first use in
                            client mode; never stored in clear)
  --now ISO-8601            check at this time instead of the clock. A check moves the state's
                            trusted-time mark to its time (it never moves back): a --now in the
                            future makes later checks at the real time CLOCK_ROLLED_BACK until a
                            newer vendor-signed license or revocation list is imported`;

type StateFlagValues = { key?: string[]; state?: string; program?: string };

/** The program name `--program` gives (1 to 256 characters). */
export function programFlag(value: string | undefined): string {
  const program = value ?? DEFAULT_PROGRAM;
  if (program.length === 0 || program.length > 256) throw new CliExit(EXIT.USAGE, `--program NAME must be 1 to 256 characters, got ${program.length}`);
  return program;
}

/** This machine's code under `program` (the state's MAC and the default HWID); a fingerprint that cannot be derived exits 2. */
export async function machineCodeOf(program: string): Promise<string> {
  const { machineCode } = await import('../fingerprint/index.ts');
  try {
    return await machineCode({ product: program });
  } catch (error) {
    if (error instanceof FingerprintError) throw new CliExit(EXIT.USAGE, `this machine's code (for the state's MAC and the default --hwid): [${error.code}] ${error.message}`);
    throw error;
  }
}

/** Opens the state the flags name; `command` is for messages. */
export async function openStateFlags(values: StateFlagValues, command: string): Promise<{ state: LicenseState; program: string; machineCode: string; key: string | Uint8Array | (string | Uint8Array)[] }> {
  if (!values.key || values.key.length === 0) throw new CliExit(EXIT.USAGE, `${command} needs --key KEYFILE (the vendor public key: the state's MAC is bound to its id)`);
  if (values.state !== undefined && values.state === '') throw new CliExit(EXIT.USAGE, '--state DIR: the folder is empty');
  const program = programFlag(values.program);
  const keys = await Promise.all(values.key.map((path) => readPublicKeyFlag('key', path)));
  const key = keys.length === 1 ? keys[0]! : keys;
  const machineCode = await machineCodeOf(program);
  const { openState } = await import('../state/index.node.ts');
  const state = await openState({ program, key, machineCode, ...(values.state === undefined ? {} : { directory: values.state }) });
  return { state, program, machineCode, key };
}

/** The options of a check from `--hwid`, `--licensee-secret` and `--now` (a bad value exits 2). */
export function checkOptionsOf(values: { hwid?: string; 'licensee-secret'?: string; now?: string }, machineCode: string): StateCheckOptions & { now: Date } {
  const hwid = values.hwid === undefined || values.hwid === 'auto' ? machineCode : values.hwid;
  if (hwid.trim() === '') throw new CliExit(EXIT.USAGE, '--hwid must be a non-empty value or "auto"');
  const secret = values['licensee-secret'];
  if (secret !== undefined && secret === '') throw new CliExit(EXIT.USAGE, '--licensee-secret must not be empty');
  return { now: dateFlag('now', values.now) ?? new Date(), hwid, ...(secret === undefined ? {} : { licenseeSecret: secret }) };
}

/** Runs `body`, turning an `ERR_OPTION_INVALID` into a usage error. */
export async function usageOnOptionError<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof OptionError) throw new CliExit(EXIT.USAGE, error.message);
    throw error;
  }
}

/** The `--json` object of a validation: the contract of `licensekit validate --json`. */
export function validationToJson(result: ValidationResult): Record<string, unknown> {
  return {
    licenseKey: result.licenseKey,
    outcome: result.outcome,
    status: result.status,
    valid: result.valid,
    reasons: result.reasons,
    checks: result.verdict?.checks ?? [],
    warnings: [...(result.verdict?.warnings ?? []), ...result.stateWarnings],
    bound: result.bound,
  };
}

/** A human report of a verdict's checks, headed by `head`. */
export function renderChecks(head: string, verdict: Verdict | null, extra: readonly string[] = []): string {
  const lines = [terminalSafe(head)];
  if (verdict !== null) {
    const rows = verdict.checks.map((c) => [c.check, c.ok === null ? '-' : c.ok ? 'pass' : 'FAIL', c.reason ?? '', cellText(c.detail)]);
    lines.push(renderTable(['check', 'result', 'reason', 'detail'], rows));
  }
  for (const line of extra) lines.push(`  ${terminalSafe(line)}`);
  return lines.join('\n');
}

/** The human report of a validation. */
export function renderValidation(result: ValidationResult, io: CliIo): void {
  const word = result.outcome === 'valid' ? 'VALID' : result.outcome === 'not-found' ? 'NOT FOUND in this state (activate it first)' : result.outcome === 'mismatch' ? 'MISMATCH (bound to another HWID: needs a vendor-signed reset)' : 'NOT VALID';
  const reasons = result.reasons.length > 0 ? ` (${result.reasons.join(', ')})` : '';
  const warnings = [...(result.verdict?.warnings ?? []), ...result.stateWarnings];
  const extra = [
    ...(result.bound.length > 0 ? [`bound on this check: ${result.bound.join(', ')}`] : []),
    ...(warnings.length > 0 ? [`warnings: ${warnings.join(', ')}`] : []),
  ];
  io.stdout(renderChecks(`${result.licenseKey}: ${word}${reasons} · status ${result.status}`, result.verdict, extra));
}
