/**
 * The air-gapped exchange through the real bin: request (file, terminal QR,
 * PNG that decodes back to the exact request), respond from a file ledger,
 * activate, the limit refused naming the machine holding the seat, a
 * response replayed / moved to another state / edited refused with its
 * reason code (exit 1), deactivate and ledger release once, the seat reused.
 * The "other machine" is a state in this process with a fixture's machine
 * code and fingerprint, since every state the bin opens is on this host.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import jsqrModule from 'jsqr';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { FIXTURES_DIR } from '../../scripts/make-fixtures.ts';
import { createActivationRequest, deactivateLicense } from '../../src/activation/index.node.ts';
import { decodeBase64, encodeBase64 } from '../../src/lib/bytes.ts';
import { fingerprintFromSnapshot, recordFingerprint, serializeFingerprint } from '../../src/fingerprint/index.ts';
import { MemoryStore, openState } from '../../src/state/index.node.ts';

// jsqr is CommonJS whose types declare an ES default export: under NodeNext the import is module.exports (callable itself, or holding .default).
type JsQr = typeof jsqrModule.default;
const jsQR: JsQr = typeof jsqrModule === 'function' ? (jsqrModule as unknown as JsQr) : jsqrModule.default;

const BIN = join(FIXTURES_DIR, '..', 'bin', 'licensekit.js');
const tmp = mkdtempSync(join(tmpdir(), 'licensekit-activation-cli-'));
const run = (...args: string[]) =>
  promisify(execFile)(process.execPath, [BIN, ...args], { maxBuffer: 1 << 22 }).then(
    (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
  );
const KEY = 'AAAAA-BBBBB-CCCCC-DDDDD';
const vendor = join(tmp, 'vendor');
const PRIV = join(vendor, 'private.jwk.json');
const PUB = join(vendor, 'public.pem');
const LEDGER = join(tmp, 'ledger');
const p = (name: string) => join(tmp, name);
const state = (name: string) => ['--key', PUB, '--state', p(name)];

/** A state in this process on the machine of a fingerprint fixture (program "licensekit", as the bin's default). */
async function otherMachine() {
  const { snapshot } = JSON.parse(readFileSync(join(FIXTURES_DIR, 'fingerprints', 'macos-laptop.json'), 'utf8'));
  const fp = fingerprintFromSnapshot(snapshot, 'licensekit');
  const s = await openState({ program: 'licensekit', key: readFileSync(PUB, 'utf8'), store: new MemoryStore(), machineCode: fp.machineCode, clockEvidence: false });
  return { state: s, fingerprint: serializeFingerprint(recordFingerprint(fp)) };
}

/** Flips one bit of the COSE message in an armoured file, `fromEnd` bytes before its end (the signature). */
function edited(text: string, fromEnd: number): string {
  const lines = text.trimEnd().split('\n');
  const bytes = decodeBase64(lines.slice(1, -1).join('')) as Uint8Array;
  bytes[bytes.length - fromEnd]! ^= 0x01;
  return `${lines[0]}\n${encodeBase64(bytes)}\n${lines.at(-1)}\n`;
}

beforeAll(async () => {
  expect((await run('keygen', '--out', vendor)).code).toBe(0);
  const added = await run('ledger', 'add-license', '--ledger', LEDGER, '--license-key', KEY, '--product-id', '1001', '--max-machines', '1');
  expect(added.code, added.err).toBe(0);
});

describe('licensekit request / respond / activate / deactivate', () => {
  test('the exchange end to end with the limit, replays, moves, edits, release once and the seat reused', async () => {
    // Another machine takes the only seat first (its request answered by the bin).
    const other = await otherMachine();
    const otherRequest = await createActivationRequest({ state: other.state, licenseKey: KEY, productId: 1001, fingerprint: other.fingerprint });
    writeFileSync(p('other.req'), otherRequest.text);
    const otherAnswer = await run('respond', p('other.req'), '--private-key', PRIV, '--ledger', LEDGER, '--out', p('other.lic'));
    expect(otherAnswer.code, otherAnswer.err).toBe(0);
    expect(otherAnswer.err).toContain('took a new seat');
    expect((await other.state.activate(readFileSync(p('other.lic'), 'utf8'))).verdict.reasons).toEqual([]);

    // This machine asks: the request file, a terminal QR on standard output, a PNG.
    const request = await run('request', '--license-key', KEY, '--product-id', '1001', ...state('s1'), '--out', p('s1.req'), '--qr', p('s1.png'));
    expect(request.code, request.err).toBe(0);
    expect(request.out).toMatch(/[▀▄█]/);
    expect(request.out).toContain(`wrote ${p('s1.req')}`);
    const requestText = readFileSync(p('s1.req'), 'utf8');
    // status --json gains the device key id and the pending requests (additive: the other fields as before).
    const statusAfterRequest = await run('status', ...state('s1'), '--json');
    expect(statusAfterRequest.code, statusAfterRequest.err).toBe(0);
    const s1Status = JSON.parse(statusAfterRequest.out);
    expect(s1Status).toMatchObject({ program: 'licensekit', verified: true, warnings: [], licenses: [], pendingRequests: 1 });
    expect(s1Status.deviceKeyId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await run('status', ...state('s1'))).out).toMatch(new RegExp(`device key\\s+${s1Status.deviceKeyId}[\\s\\S]*pending requests\\s+1`));
    expect(requestText).toMatch(/^-----BEGIN LICENSEKIT ACTIVATION REQUEST-----\n[\s\S]+-----END LICENSEKIT ACTIVATION REQUEST-----\n$/);

    // The seat is taken: refused, naming the limit and the machine that holds it; exit 2, nothing written.
    const refused = await run('respond', p('s1.req'), '--private-key', PRIV, '--ledger', LEDGER, '--out', p('s1.lic'));
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('[ERR_ACTIVATION_LIMIT_REACHED]');
    expect(refused.err).toContain('allows 1 machine');
    expect(refused.err).toContain(otherRequest.deviceKeyId);

    // The other machine deactivates; the vendor releases its receipt once.
    const receipt = await deactivateLicense({ state: other.state, licenseKey: KEY });
    writeFileSync(p('other.receipt'), receipt.text);
    const released = await run('ledger', 'release', p('other.receipt'), '--ledger', LEDGER);
    expect(released.code, released.err).toBe(0);
    const twice = await run('ledger', 'release', p('other.receipt'), '--ledger', LEDGER);
    expect(twice.code).toBe(2);
    expect(twice.err).toContain('[ERR_RECEIPT_USED]');

    // Now this machine's request is answered (the seat reused) and activated, as --json says.
    const answer = await run('respond', p('s1.req'), '--private-key', PRIV, '--ledger', LEDGER, '--days', '30', '--json');
    expect(answer.code, answer.err).toBe(0);
    const json = JSON.parse(answer.out);
    expect(json).toMatchObject({ licenseKey: KEY, kept: false });
    writeFileSync(p('s1.lic'), json.license);
    const activated = await run('activate', p('s1.lic'), ...state('s1'), '--json');
    expect(activated.code, activated.err).toBe(0);
    const verdict = JSON.parse(activated.out);
    expect(verdict).toMatchObject({ licenseKey: KEY, stored: true, valid: true, reasons: [] });
    expect(verdict.checks.filter((c: { check: string }) => ['nonce', 'device', 'machine'].includes(c.check)).map((c: { ok: boolean }) => c.ok)).toEqual([true, true, true]);
    expect((await run('validate', KEY, ...state('s1'))).code).toBe(0);
    expect(JSON.parse((await run('status', ...state('s1'), '--json')).out)).toMatchObject({ deviceKeyId: s1Status.deviceKeyId, pendingRequests: 0 });

    // Replayed: exit 1, ACTIVATION_NONCE_USED. Moved to another state: ACTIVATION_NONCE_UNKNOWN and DEVICE_MISMATCH. Edited: SIGNATURE_INVALID.
    const replay = await run('activate', p('s1.lic'), ...state('s1'), '--json');
    expect(replay.code).toBe(1);
    expect(JSON.parse(replay.out).reasons).toEqual(['ACTIVATION_NONCE_USED']);
    expect((await run('request', '--license-key', KEY, ...state('s2'))).code).toBe(0); // s2 has a device key of its own
    const moved = await run('activate', p('s1.lic'), ...state('s2'), '--json');
    expect(moved.code).toBe(1);
    expect([...JSON.parse(moved.out).reasons].sort()).toEqual(['ACTIVATION_NONCE_UNKNOWN', 'DEVICE_MISMATCH']);
    writeFileSync(p('s1-edited.lic'), edited(json.license, 5));
    const edit = await run('activate', p('s1-edited.lic'), ...state('s2'), '--json');
    expect(edit.code).toBe(1);
    expect(JSON.parse(edit.out).reasons).toContain('SIGNATURE_INVALID');

    // An edited request never reaches the ledger.
    writeFileSync(p('s1-edited.req'), edited(requestText, 5));
    const badRequest = await run('respond', p('s1-edited.req'), '--private-key', PRIV, '--ledger', LEDGER);
    expect(badRequest.code).toBe(2);
    expect(badRequest.err).toContain('[ERR_ACTIVATION_REQUEST_INVALID]');

    // Deactivate: removed here, the receipt frees the seat (once); a second deactivate has nothing to remove.
    const deactivated = await run('deactivate', KEY, ...state('s1'), '--out', p('s1.receipt'));
    expect(deactivated.code, deactivated.err).toBe(0);
    expect(readFileSync(p('s1.receipt'), 'utf8')).toMatch(/^-----BEGIN LICENSEKIT DEACTIVATION RECEIPT-----\n/);
    expect((await run('validate', KEY, ...state('s1'))).code).toBe(1);
    const again = await run('deactivate', KEY, ...state('s1'), '--out', p('s1-again.receipt'));
    expect(again.code).toBe(2);
    expect(again.err).toContain('[ERR_ACTIVATION_NOT_HELD]');
    expect((await run('ledger', 'release', p('s1.receipt'), '--ledger', LEDGER)).code).toBe(0);
    const list = JSON.parse((await run('ledger', 'list', '--ledger', LEDGER, '--json')).out);
    expect(JSON.stringify(list)).toContain(KEY);
  }, 90_000);

  test('the QR PNG decodes (jsQR, a real reader) to the exact request; without --out standard output is the request alone', async () => {
    const made = await run('request', '--license-key', KEY, ...state('qr'), '--out', p('qr.req'), '--qr', p('qr.png'));
    expect(made.code, made.err).toBe(0);
    const png = PNG.sync.read(readFileSync(p('qr.png')));
    const decoded = jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height);
    expect(decoded?.data).toBe(readFileSync(p('qr.req'), 'utf8'));
    const plain = await run('request', '--license-key', KEY, ...state('qr'));
    expect(plain.code).toBe(0);
    expect(plain.out).toMatch(/^-----BEGIN LICENSEKIT ACTIVATION REQUEST-----\n[A-Za-z0-9+/=\n]+-----END LICENSEKIT ACTIVATION REQUEST-----\n$/);
  }, 30_000);

  test('usage errors exit 2 and name what is missing', async () => {
    expect((await run('request', ...state('u'))).err).toContain('--license-key');
    expect((await run('respond', p('nothing.req'), '--private-key', PRIV)).err).toContain('--ledger');
    const noOut = await run('deactivate', KEY, ...state('u'));
    expect(noOut.code).toBe(2);
    expect(noOut.err).toContain('--out');
    expect((await run('request', '--license-key', KEY, ...state('u'), '--bogus')).code).toBe(2);
  }, 30_000);
});
