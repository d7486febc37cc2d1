/**
 * `licensekit inspect FILE` for the exchange's files: an activation request,
 * a deactivation receipt (their claims) and a customer bundle (its header
 * only: never decrypted). Nothing is verified, and the output says so. Called
 * by the inspect command before the license inspector; answers null for any
 * other file.
 */
import { readLimited } from '../files.ts';
import { CliExit, EXIT, type CliIo } from '../io.ts';
import { renderTable } from '../table.ts';
import { terminalSafe } from '../terminal-text.ts';
import { inspectExchangeFile, type ExchangeInspection } from '../../activation/inspect.ts';
import { isLicenseKitError } from '../../lib/errors.ts';

const TITLE: Readonly<Record<ExchangeInspection['kind'], string>> = {
  'activation-request': 'activation request (device-signed; signature NOT VERIFIED: licensekit respond verifies it)',
  'deactivation-receipt': 'deactivation receipt (device-signed; NOT VERIFIED: licensekit ledger release verifies it under the device key the ledger recorded)',
  'customer-bundle': 'customer bundle, encrypted (vendor-signed; NOT VERIFIED and NOT DECRYPTED: licensekit open-bundle does both)',
};

const cell = (value: unknown): string => (value === null ? '-' : terminalSafe(typeof value === 'object' ? JSON.stringify(value) : String(value)));

/**
 * Prints FILE when it is a request, a receipt or a bundle, and returns the
 * exit status; null when it is none of these (the caller inspects a license).
 */
export async function inspectExchange(file: string, json: boolean, io: CliIo): Promise<number | null> {
  let inspection: ExchangeInspection | null;
  try {
    inspection = inspectExchangeFile(await readLimited(file, 4 * 1024 * 1024));
  } catch (error) {
    if (!isLicenseKitError(error)) throw error;
    // Unreadable or too large here: the license inspector reads it again and reports it in its own words.
    if (error.code === 'ERR_FILE_UNREADABLE' || error.code === 'ERR_INPUT_TOO_LARGE') return null;
    throw new CliExit(EXIT.USAGE, `${file}: [${error.code}] ${error.message}`);
  }
  if (inspection === null) return null;
  if (json) {
    io.stdout(JSON.stringify({ file, ...inspection }));
    return EXIT.OK;
  }
  io.stdout(`${terminalSafe(file)}: ${TITLE[inspection.kind]}`);
  const rows = Object.entries(inspection)
    .filter(([k]) => k !== 'kind' && k !== 'verified')
    .map(([k, v]) => [k, cell(v)]);
  io.stdout(renderTable(['field', 'value'], rows));
  return EXIT.OK;
}
