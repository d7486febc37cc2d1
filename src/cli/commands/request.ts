/**
 * `licensekit request --license-key LK --key KEYFILE [--product-id N] [--state DIR] [--out FILE] [--qr FILE.png]`:
 * makes an activation request on an offline machine, signed by the state's
 * device key, with this machine's code and recorded fingerprint (salted
 * hashes only) and a fresh nonce the state remembers.
 */
import { writeFile } from 'node:fs/promises';
import { CliExit, EXIT, type CliIo } from '../io.ts';
import { dateFlag, integerFlag, parseCommandArgs } from '../args.ts';
import { STATE_FLAGS, openStateFlags, usageOnOptionError } from '../state-flags.ts';
import { isLicenseKitError } from '../../lib/errors.ts';

/** `--help` text of the request command. */
export const REQUEST_HELP = `licensekit request --license-key KEY --key KEYFILE [--product-id N] [--state DIR] [--out FILE] [--qr FILE.png]

Makes an activation request for a machine that cannot reach the vendor: armoured text
(-----BEGIN LICENSEKIT ACTIVATION REQUEST-----) holding the license key, the product, this
machine's code and recorded fingerprint (salted hashes only: no serial number or MAC in clear),
a fresh nonce and the time, signed by the state's device key (an Ed25519 key the state makes
once and keeps sealed). Carry it to the vendor (a file on a USB stick, or the QR code), who
answers with licensekit respond; activate the answer here with licensekit activate.

  --license-key KEY         the license to activate (required)
  --product-id N            the product the program is for
  --key KEYFILE             vendor public key (as for activate: names the state and is part of its MAC)
  --state DIR               the state folder (default: the OS's per-user data folder)
  --program NAME            the program the state belongs to (default "licensekit")
  --out FILE                write the request there; standard output then shows it as a QR code
                            (without --out, standard output is the request alone)
  --qr FILE.png             also write the request as a QR code image
  --now ISO-8601            the request's time instead of the clock
  --json                    print { licenseKey, nonce, deviceKeyId, fingerprint, bytes, request }

Exit status: 0 written, 2 bad usage, unreadable or tampered state, 3 key problem.`;

/** Runs `licensekit request`. */
export async function requestCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, {
    ...STATE_FLAGS,
    'license-key': { type: 'string', value: 'KEY' },
    'product-id': { type: 'string', value: 'N' },
    out: { type: 'string', value: 'FILE' },
    qr: { type: 'string', value: 'FILE.png' },
    now: { type: 'string', value: 'ISO-8601' },
  }, { command: 'request' });
  if (values.help) {
    io.stdout(REQUEST_HELP);
    return EXIT.OK;
  }
  const licenseKey = values['license-key'];
  if (licenseKey === undefined || licenseKey === '') throw new CliExit(EXIT.USAGE, 'request needs --license-key KEY');
  const productId = integerFlag('product-id', values['product-id'], 0);
  const now = dateFlag('now', values.now) ?? new Date();
  const { state, program } = await openStateFlags(values, 'request');
  const fingerprint = await recordedFingerprint(program, io);
  const made = await usageOnOptionError(() =>
    state.requestActivation({ licenseKey, now, ...(productId === undefined ? {} : { productId }), ...(fingerprint === null ? {} : { fingerprint }) }),
  );
  const QRCode = (await import('qrcode')).default;
  // Byte mode, error correction L: a request of about 1 KiB fits one code (version 40 holds 2953 bytes).
  const qrOptions = { errorCorrectionLevel: 'L' as const };
  if (values.qr !== undefined) await QRCode.toFile(values.qr, made.text, { ...qrOptions, type: 'png', margin: 4, scale: 4 });
  if (values.out !== undefined) await writeFile(values.out, made.text);
  if (values.json) {
    io.stdout(JSON.stringify({ licenseKey, nonce: made.nonce, deviceKeyId: made.deviceKeyId, fingerprint: fingerprint !== null, bytes: made.bytes.length, request: made.text }));
  } else if (values.out !== undefined) {
    io.stdout((await QRCode.toString(made.text, { ...qrOptions, type: 'utf8' })).trimEnd());
    io.stdout(`wrote ${values.out}${values.qr === undefined ? '' : ` and ${values.qr}`}: activation request for ${licenseKey} (${made.bytes.length} bytes, device key ${made.deviceKeyId})`);
  } else {
    io.stdout(made.text.trimEnd());
  }
  return EXIT.OK;
}

/** This machine's recorded fingerprint under the program's salt, or null (said on standard error) when it is too weak to record. */
async function recordedFingerprint(program: string, io: CliIo): Promise<string | null> {
  const { fingerprint, recordFingerprint, serializeFingerprint } = await import('../../fingerprint/index.ts');
  try {
    return serializeFingerprint(recordFingerprint(await fingerprint({ product: program })));
  } catch (error) {
    if (!isLicenseKitError(error)) throw error;
    io.stderr(`no fingerprint in the request ([${error.code}] ${error.message}): the vendor can match this machine by its device key only`);
    return null;
  }
}
