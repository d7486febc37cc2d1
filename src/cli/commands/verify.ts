/**
 * `licensekit verify FILE… --key KEYFILE [options]`: verifies each file and
 * reports every check. Exit 0 all valid, 1 any not valid, 2 unreadable input
 * or bad usage, 3 key problem.
 */
import { readLimited } from '../files.ts';
import { CliExit, EXIT, type CliIo } from '../io.ts';
import { dateFlag, featureNumberFlag, integerFlag, numberFlag, parseCommandArgs } from '../args.ts';
import { renderVerdict, verdictToJson } from '../render.ts';
import { terminalSafe } from '../terminal-text.ts';
import { readPublicKeyFlag } from '../key-files.ts';
import { KeyError, OptionError, isLicenseKitError } from '../../lib/errors.ts';
import { DEFAULT_PRODUCT_SALT, PRODUCT_FLAG, RENAMED_SALT_FLAG, productSalt, resolveMachineCodeFlag } from '../machine-code.ts';
import { resolveEvaluation } from '../../rules/options.ts';
import type { FeatureNumber } from '../../license/model.ts';
import type { BackendName } from '../../backends/backend.ts';
import type { VerifyOptions } from '../../verify.ts';
import { isSignatureAlgorithm, SIGNATURE_ALGORITHMS } from '../../lib/algorithms.ts';
import { checkOptionsOf, openStateFlags } from '../state-flags.ts';

/** `--help` text of the verify command. */
export const VERIFY_HELP = `licensekit verify FILE... --key KEYFILE [options]

Verifies license files offline and reports every check.

  --key KEYFILE              vendor public key: <RSAKeyValue> XML, PEM or JWK, or a JWK Set of
                             keys (required; repeat it for a key ring). A license naming a key id
                             is checked with that key (an id no key has: exit 3); the verdict
                             says which key verified it
  --now ISO-8601             evaluate at this time instead of the clock
  --clock-tolerance SECONDS  tolerance for every time comparison (default 0)
  --machine-code CODE|auto   require this machine; "auto" = this machine's code under the product
                             salt (said on standard error), as licensekit fingerprint prints it;
                             "cryptolens-node" / "cryptolens-node-short" = the code the official
                             Cryptolens Node client gives this machine (for licenses activated with it)
  --product SALT             product salt for --machine-code auto (default: the --product-id value,
                             else "${DEFAULT_PRODUCT_SALT}"); replaces --fingerprint-salt
  --allow-overdraft          accept floating:overdraft: activations
  --require-feature N|NAME   require F1-F8 (1-8 or F3), a --feature-name, or a cryptolens_features path (repeatable)
  --feature-name NAME=N      name a feature flag (repeatable)
  --time-limited-feature N   expiry applies only when F<N> is set (Cryptolens time-limited flag)
  --trial-feature N          F<N> marks trial licenses (for status.Trial)
  --max-signature-age DAYS   the file must have been signed within DAYS days
  --product-id N             the license must belong to product N
  --license-key KEY          the license key an encrypted Keygen license file is encrypted under
                             (aes-256-gcm+…); it is read only after the signature verified
  --fingerprint FP           with --license-key: the machine fingerprint a Keygen machine file is
                             encrypted under (and, given as --machine-code too, bound to)
  --backend NAME             node | webcrypto | purejs | forge
  --algorithm NAME           accept only this signature algorithm (repeatable): RS256, PS256, EdDSA,
                             RS1, PS256-MAX; a Keygen RSA signed key needs it to say its padding:
                             RS256 (RSA_2048_PKCS1_SIGN_V2) or PS256-MAX (RSA_2048_PKCS1_PSS_SIGN_V2)
  --json                     one JSON object per file per line, strings exactly as in the file
                             (human output shows control characters as escapes)
  --state DIR                apply the local state's rules too (clock rollback, licensee secret,
                             HWID binding, revocation): the license stored under the file's key is
                             checked as licensekit validate does once the file itself is valid
                             (like validate, it moves the state's trusted-time mark and binds on
                             first use); a file whose key the state does not hold is NOT
                             ACTIVATED, exit 1 (licensekit activate FILE first)
  --program NAME             the state's program name (default "licensekit"; see licensekit validate)
  --hwid VALUE|auto          with --state: the HWID (default auto = this machine's code under --program)
  --licensee-secret SECRET   with --state: the licensee secret

Exit status: 0 all valid, 1 any not valid, 2 unreadable input or bad usage, 3 key problem,
141 standard output closed before everything was written (the rest is not checked).`;

/** Runs `licensekit verify`. */
export async function verifyCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    key: { type: 'string', multiple: true, value: 'KEYFILE' },
    now: { type: 'string', value: 'ISO-8601' },
    'clock-tolerance': { type: 'string', value: 'SECONDS' },
    'machine-code': { type: 'string', value: 'CODE|auto' },
    ...PRODUCT_FLAG,
    'allow-overdraft': { type: 'boolean' },
    'require-feature': { type: 'string', multiple: true, value: 'N|NAME' },
    'feature-name': { type: 'string', multiple: true, value: 'NAME=N' },
    'time-limited-feature': { type: 'string', value: 'N' },
    'trial-feature': { type: 'string', value: 'N' },
    'max-signature-age': { type: 'string', value: 'DAYS' },
    'product-id': { type: 'string', value: 'N' },
    'license-key': { type: 'string', value: 'KEY' },
    fingerprint: { type: 'string', value: 'FP' },
    backend: { type: 'string', value: 'NAME' },
    algorithm: { type: 'string', multiple: true, value: 'NAME' },
    json: { type: 'boolean' },
    state: { type: 'string', value: 'DIR' },
    program: { type: 'string', value: 'NAME' },
    hwid: { type: 'string', value: 'VALUE|auto' },
    'licensee-secret': { type: 'string', value: 'SECRET' },
    help: { type: 'boolean', short: 'h' },
  }, { command: 'verify', positionals: true, renamed: RENAMED_SALT_FLAG });
  if (values.help) {
    io.stdout(VERIFY_HELP);
    return EXIT.OK;
  }
  if (positionals.length === 0) throw new CliExit(EXIT.USAGE, 'verify needs at least one FILE (see licensekit verify --help)');
  if (!values.key || values.key.length === 0) throw new CliExit(EXIT.USAGE, 'verify needs --key KEYFILE (the vendor public key)');
  const backend = values.backend as BackendName | undefined;
  if (backend !== undefined && !['node', 'webcrypto', 'purejs', 'forge'].includes(backend)) {
    throw new CliExit(EXIT.USAGE, `--backend must be node, webcrypto, purejs or forge, got "${backend}"`);
  }
  for (const name of values.algorithm ?? []) {
    if (!isSignatureAlgorithm(name)) throw new CliExit(EXIT.USAGE, `--algorithm must be one of ${SIGNATURE_ALGORITHMS.join(', ')}, got "${name}"`);
  }
  const featureNames: Record<string, FeatureNumber> = {};
  for (const entry of values['feature-name'] ?? []) {
    const m = /^(.+)=([1-8])$/.exec(entry);
    if (!m) throw new CliExit(EXIT.USAGE, `--feature-name must be NAME=N with N in 1-8, got "${entry}"`);
    featureNames[m[1]!] = Number(m[2]) as FeatureNumber;
  }
  const productId = integerFlag('product-id', values['product-id']);
  const now = dateFlag('now', values.now) ?? new Date();
  productSalt(values.product, productId); // a bad salt is a usage error even without --machine-code auto

  // One --key: that key, or a JWK Set (a key ring); several: a ring of them, in order.
  const keys = await Promise.all(values.key.map((path) => readPublicKeyFlag('key', path)));
  const key = keys.length === 1 ? keys[0]! : keys;
  const machineCode = await resolveMachineCodeFlag(values['machine-code'], values.product, productId, io);

  const options: VerifyOptions = {
    key,
    now,
    clockToleranceSeconds: numberFlag('clock-tolerance', values['clock-tolerance']),
    machineCode,
    allowOverdraft: values['allow-overdraft'] === true,
    requireFeatures: (values['require-feature'] ?? []).map((r) => {
      if (!/^\d+$/.test(r)) return r;
      if (!/^[1-8]$/.test(r)) throw new CliExit(EXIT.USAGE, `--require-feature ${r}: feature numbers are 1-8`);
      return Number(r) as FeatureNumber;
    }),
    maxSignatureAgeDays: numberFlag('max-signature-age', values['max-signature-age']),
    productId,
    backend,
    algorithms: values.algorithm?.filter(isSignatureAlgorithm),
    licenseKey: values['license-key'],
    fingerprint: values.fingerprint,
    product: {
      featureNames,
      timeLimitedFeature: featureNumberFlag('time-limited-feature', values['time-limited-feature']),
      trialFeature: featureNumberFlag('trial-feature', values['trial-feature']),
    },
  };

  // Bad option values are a usage error, said once, before any file is read.
  try {
    resolveEvaluation(options);
  } catch (error) {
    if (error instanceof OptionError) throw new CliExit(EXIT.USAGE, error.message);
    throw error;
  }

  for (const flag of ['program', 'hwid', 'licensee-secret'] as const) {
    if (values[flag] !== undefined && values.state === undefined) throw new CliExit(EXIT.USAGE, `--${flag} is for --state DIR (the local state's rules)`);
  }
  const withState = values.state === undefined ? null : await openStateFlags(values, 'verify');
  const stateOptions = withState === null ? null : { ...options, ...checkOptionsOf(values, withState.machineCode), now };
  const { verifyLicense } = await import('../../index.node.ts');
  let exit: number = EXIT.OK;
  for (const file of positionals) {
    try {
      let verdict = await verifyLicense(await readLimited(file), options);
      if (withState !== null && stateOptions !== null && verdict.valid && verdict.license?.key != null) {
        // The state's rules (only after the file itself is valid: a forged file never borrows the stored copy's verdict):
        // the license stored under this file's key, checked as `validate` does.
        const result = await withState.state.validate(verdict.license.key, stateOptions);
        const facts = { outcome: result.outcome, status: result.status, bound: result.bound, warnings: result.stateWarnings };
        if (result.verdict === null) {
          io.stdout(values.json ? JSON.stringify({ ...verdictToJson(file, verdict), valid: false, state: facts }) : terminalSafe(`${file}: NOT ACTIVATED in ${values.state} (license ${verdict.license.key}; licensekit activate ${file} first)`));
          if (exit === EXIT.OK) exit = EXIT.INVALID;
          continue;
        }
        verdict = result.verdict;
        io.stdout(values.json ? JSON.stringify({ ...verdictToJson(file, verdict), state: facts }) : `${renderVerdict(file, verdict)}\n  state ${terminalSafe(values.state!)}: ${result.outcome} (${result.status})${result.bound.length ? ` · bound ${result.bound.join(', ')}` : ''}`);
        if (!verdict.valid && exit === EXIT.OK) exit = EXIT.INVALID;
        continue;
      }
      io.stdout(values.json ? JSON.stringify(verdictToJson(file, verdict)) : renderVerdict(file, verdict));
      if (!verdict.valid && exit === EXIT.OK) exit = EXIT.INVALID;
    } catch (error) {
      if (error instanceof KeyError) throw new CliExit(EXIT.KEY, `${file}: [${error.code}] ${error.message}`);
      if (!isLicenseKitError(error)) throw error;
      const { code, message } = error;
      io.stdout(values.json ? JSON.stringify({ file, error: { code, message } }) : terminalSafe(`${file}: UNREADABLE [${code}] ${message}`));
      exit = EXIT.USAGE;
    }
  }
  return exit;
}
