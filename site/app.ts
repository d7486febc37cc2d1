/**
 * The inspector page: reads the form, verifies with the library's own browser
 * bundle (the global `licensekit`), and shows the verdict, every check, the
 * reasons explained, a timeline, the claims and the signature details. The
 * verdict follows the inputs (debounced); the clock is read here, the
 * outermost caller, only when no evaluation time is given.
 */
import type { Inspection, KeyRing, License, Verdict } from '../src/index.ts';
import { ERROR_MEANINGS } from '../src/lib/error-meanings.ts';
import { CLAIM_MEANINGS } from '../src/formats/native/claim-meanings.ts';
import { fileAsText, keyFromText, readForm, type FieldError, type FormValues } from './inputs.ts';
import { licenseRows, text, type Cell } from './claims.ts';
import { library, type LicenseKit } from './licensekit-global.ts';
import { timelineModel, timelineSvg } from './timeline.ts';
import { fill, h, prose, type Child } from './dom.ts';

const DEBOUNCE_MS = 200;
/** Files larger than this are not read (the library's default input limit is 1 MiB). */
const MAX_FILE_BYTES = 4 * 1024 * 1024;

const byId = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

const FIELDS = ['now', 'tolerance', 'machineCode', 'productId', 'requireFeatures', 'featureNames', 'timeLimitedFeature', 'trialFeature', 'maxSignatureAgeDays', 'graceDays', 'licenseeSecret', 'keygenLicenseKey', 'keygenFingerprint', 'backend'] as const;

/** A license or key loaded from a file as bytes (a binary license, a DER key). */
interface Loaded {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** What one evaluation found. */
type Outcome =
  | { readonly kind: 'verdict'; readonly verdict: Verdict }
  | { readonly kind: 'error'; readonly code: string; readonly message: string }
  | { readonly kind: 'unchecked'; readonly why: string };

interface Result {
  readonly outcome: Outcome;
  readonly inspection: Inspection | null;
  readonly ring: KeyRing | null;
  readonly nowMs: number;
  readonly options: Record<string, unknown>;
}

function errorOf(error: unknown): { code: string; message: string } {
  const e = error as { code?: unknown; name?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : typeof e?.name === 'string' ? e.name : 'Error';
  return { code, message: typeof e?.message === 'string' ? e.message : String(error) };
}

// ---------- formatting ----------

const LOCAL = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'long' });
const localDate = (ms: number): string => LOCAL.format(new Date(ms));
const utcDate = (ms: number): string => `${new Date(ms).toISOString().replace('.000Z', 'Z')} UTC`;

function dateCell(d: Date): Child {
  const ms = d.getTime();
  return [h('time', { datetime: d.toISOString() }, localDate(ms)), h('span', { class: 'utc' }, utcDate(ms))];
}

function cell(v: Cell): Child {
  return v instanceof Date ? dateCell(v) : v ?? '';
}

function table(caption: string, head: readonly string[], rows: readonly (readonly Child[])[], className = ''): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: className },
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, c) : h('td', {}, c)))))),
    ),
  );
}

// ---------- the sections ----------

function verdictLine(o: Outcome): string {
  if (o.kind === 'verdict') return o.verdict.valid ? 'VALID' : `NOT VALID (${o.verdict.reasons.join(', ')})`;
  if (o.kind === 'error') return `NOT VALID — cannot be checked: ${o.code}`;
  return `NOT VALID — cannot be checked: ${o.why}`;
}

function verdictNote(lk: LicenseKit, o: Outcome): Child {
  if (o.kind === 'error') {
    const meaning = Object.hasOwn(ERROR_MEANINGS, o.code) ? ERROR_MEANINGS[o.code as keyof typeof ERROR_MEANINGS] : null;
    return [o.message, meaning ? h('span', { class: 'meaning' }, ` (${o.code}: ${meaning})`) : null];
  }
  if (o.kind === 'unchecked') return null;
  const v = o.verdict;
  const warnings = v.warnings.map((w) => `${w}: ${lk.WARNINGS[w]}`);
  return [
    `${v.format} license, ${v.algorithm}, ${v.keyBits}-bit key, via ${v.backend}, evaluated at ${utcDate(v.now.getTime())}.`,
    warnings.length > 0 ? h('span', { class: 'warning' }, ` Warning${warnings.length > 1 ? 's' : ''}: ${warnings.join('; ')}.`) : null,
  ];
}

function untrustedBanner(o: Outcome, inspection: Inspection | null): Child {
  if (o.kind === 'verdict' && o.verdict.license === null) {
    return h(
      'div',
      { class: 'banner tampered', role: 'alert' },
      h('strong', {}, 'The signature does not verify. '),
      'The file was changed after it was signed, or it was signed by another key than this one. ',
      inspection ? 'The claims below are what the file says, not what the vendor signed: do not trust them.' : '',
    );
  }
  if (o.kind !== 'verdict' && inspection) {
    if (inspection.license === null) {
      return h('div', { class: 'banner untrusted' }, h('strong', {}, 'Not verified, and encrypted. '), 'Give the Keygen license key (and a machine file\'s fingerprint) to read what it claims; its envelope is below.');
    }
    return h('div', { class: 'banner untrusted' }, h('strong', {}, 'Not verified. '), 'The claims below are what the file says; nothing has checked them.');
  }
  return null;
}

function checksSection(v: Verdict): HTMLElement {
  const rows = v.checks.map((c) => [
    c.check,
    h('span', { class: `result ${c.ok === null ? 'na' : c.ok ? 'pass' : 'fail'}` }, c.ok === null ? 'n.a.' : c.ok ? 'pass' : 'FAIL'),
    c.reason ? h('a', { href: `#reason-${c.reason}` }, c.reason) : '',
    text(c.detail) ?? '',
  ]);
  return h('section', { 'aria-labelledby': 'checks-title' }, h('h2', { id: 'checks-title' }, 'Checks, in order'), table('Every check that ran', ['check', 'result', 'reason', 'detail'], rows, 'checks'));
}

function reasonsSection(lk: LicenseKit, v: Verdict): Child {
  if (v.reasons.length === 0 && v.warnings.length === 0) return null;
  return h(
    'section',
    { 'aria-labelledby': 'why-title' },
    h('h2', { id: 'why-title' }, 'What the codes mean'),
    h(
      'dl',
      { class: 'codes' },
      v.reasons.map((r) => [h('dt', { id: `reason-${r}`, tabindex: -1 }, r), h('dd', {}, prose(lk.REASONS[r] ?? ''))]),
      v.warnings.map((w) => [h('dt', { id: `warning-${w}`, class: 'warning' }, w), h('dd', {}, prose(lk.WARNINGS[w] ?? ''))]),
    ),
  );
}

function timelineSection(license: License, r: Result, trusted: boolean): HTMLElement {
  const maxAge = r.options.maxSignatureAgeDays;
  const grace = r.options.graceDays;
  const t = timelineModel(license, { nowMs: r.nowMs, maxSignatureAgeDays: typeof maxAge === 'number' ? maxAge : undefined, graceDays: typeof grace === 'number' ? grace : undefined });
  return h(
    'section',
    { 'aria-labelledby': 'timeline-heading', class: trusted ? '' : 'untrusted' },
    h('h2', { id: 'timeline-heading' }, trusted ? 'Timeline' : 'Timeline (untrusted dates)'),
    h('ul', { class: 'facts' }, t.facts.map((f) => h('li', {}, f))),
    h('figure', { class: 'timeline-figure' }, timelineSvg(t, (ms) => `${localDate(ms)} (${utcDate(ms)})`)),
  );
}

function claimsSection(license: License, trusted: boolean): HTMLElement {
  const rows = licenseRows(license).map((row) => [row.name, cell(row.value)]);
  return h(
    'section',
    { 'aria-labelledby': 'claims-title', class: trusted ? '' : 'untrusted' },
    h('h2', { id: 'claims-title' }, trusted ? 'Claims' : 'Claims (untrusted: not verified)'),
    table(trusted ? 'What the vendor signed (dates in your time zone, and in UTC)' : 'What the file claims, unverified', ['claim', 'value'], rows, 'claims'),
  );
}

function signatureSection(r: Result): Child {
  const { inspection, ring, outcome } = r;
  const v = outcome.kind === 'verdict' ? outcome.verdict : null;
  const rows: Child[][] = [];
  if (inspection) {
    rows.push(['format', `${inspection.format} (${inspection.form})`], ['algorithm', inspection.algorithm], ['signed bytes', String(inspection.signedBytes)], ['signature bytes', String(inspection.signatureBytes)]);
  }
  const named = v?.licenseKeyId ?? inspection?.keyId ?? null;
  rows.push(['key id the license names', named ?? 'none']);
  if (v) rows.push(['verified by key', v.keyId ?? 'no key of the ring verified it'], ['key size', `${v.keyBits} bits`], ['backend', v.backend]);
  const parts: Child[] = [table('The envelope', ['', ''], rows, 'kv')];
  if (ring && ring.entries.length > 0) {
    parts.push(
      table(
        ring.entries.length > 1 ? `The key ring: ${ring.entries.length} keys` : 'The key',
        ['key id (RFC 7638 thumbprint)', 'key', 'accepted until', 'verified this license'],
        ring.entries.map((e) => [
          e.kid,
          `${e.key.type === 'rsa' ? 'RSA' : 'Ed25519'}, ${e.key.bits} bits, ${e.key.algorithms.join(' / ')}`,
          e.notAfterMs === null ? 'no limit' : dateCell(new Date(e.notAfterMs)),
          v?.keyId === e.kid ? h('strong', {}, 'yes') : named !== null && e.ids.includes(named) ? 'named by the license' : '',
        ]),
        'ring',
      ),
    );
  }
  const env = inspection?.envelope;
  if (inspection && env && inspection.format === 'native') {
    const header = (o: unknown): Child[][] => (o && typeof o === 'object' ? Object.entries(o).map(([k, val]) => [k, text(val) ?? '']) : []);
    parts.push(table('COSE protected header (signed)', ['label', 'value'], [['COSE algorithm', text(env.coseAlgorithm) ?? ''], ...header(env.protectedHeader)], 'kv'));
    const unprotected = header(env.unprotectedHeader);
    parts.push(table('COSE unprotected header (not signed: never read for a decision)', ['label', 'value'], unprotected.length > 0 ? unprotected : [['(empty)', '']], 'kv'));
    if (env.claims && typeof env.claims === 'object') {
      const meanings = CLAIM_MEANINGS as Readonly<Record<string, string>>;
      parts.push(table('CWT claims as encoded', ['claim', 'value', 'meaning'], Object.entries(env.claims as Record<string, unknown>).map(([k, val]) => [k, text(val) ?? '', Object.hasOwn(meanings, k) ? meanings[k]! : '']), 'raw'));
    }
  } else if (inspection && env) {
    const unsigned = Object.entries(env).filter(([k]) => k !== 'form');
    if (unsigned.length > 0) parts.push(table('Beside the signed part (not signed)', ['field', 'value'], unsigned.map(([k, val]) => [k, text(val) ?? '']), 'kv'));
  }
  if (v?.status) parts.push(table(`The ${v.format} status, computed locally`, ['field', 'value'], Object.entries(v.status).map(([k, val]) => [k, text(val) ?? '']), 'kv'));
  return h('section', { 'aria-labelledby': 'signature-title' }, h('h2', { id: 'signature-title' }, 'Signature and key'), parts);
}

// ---------- the page ----------

function start(): void {
  const lk = library();
  const verdictEl = byId('verdict');
  const box = byId('verdict-box');
  const note = byId('verdict-note');
  const details = byId('details');
  if (lk === null) {
    verdictEl.textContent = 'NOT VALID — cannot be checked: the library (licensekit-site.iife.js) did not load';
    box.dataset.state = 'error';
    return;
  }
  fill(byId('glossary-list'), Object.entries(lk.REASONS).map(([code, meaning]) => [h('dt', { id: `glossary-${code}` }, code), h('dd', {}, prose(meaning))]), Object.entries(lk.WARNINGS).map(([code, meaning]) => [h('dt', { id: `glossary-${code}`, class: 'warning' }, code), h('dd', {}, prose(meaning))]));

  const licenseText = byId<HTMLTextAreaElement>('license');
  const keyText = byId<HTMLTextAreaElement>('key');
  let licenseFile: Loaded | null = null;
  let keyFile: Loaded | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let seq = 0;

  const values = (): FormValues => {
    const out: Record<string, string | boolean> = { allowOverdraft: byId<HTMLInputElement>('allowOverdraft').checked };
    for (const f of FIELDS) out[f] = byId<HTMLInputElement | HTMLSelectElement>(f).value;
    return out as unknown as FormValues;
  };

  const showFieldErrors = (errors: readonly FieldError[]): void => {
    for (const f of [...FIELDS, 'key']) {
      const input = byId(f);
      const message = document.getElementById(`${f}-error`);
      const mine = errors.filter((e) => e.field === f).map((e) => e.message);
      if (mine.length > 0) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
      if (message) message.textContent = mine.join('; ');
    }
  };

  let runs = 0;
  const run = async (mine: number): Promise<void> => {
    const licenseInput: string | Uint8Array = licenseFile?.bytes ?? licenseText.value;
    if (typeof licenseInput === 'string' && licenseInput.trim() === '') {
      showFieldErrors([]);
      box.dataset.state = 'empty';
      verdictEl.textContent = 'Paste a license and a key.';
      note.textContent = '';
      details.replaceChildren();
      box.dataset.runs = String(++runs);
      verdictEl.setAttribute('aria-busy', 'false');
      return;
    }
    const form = readForm(values());
    const key = keyFile?.bytes ?? keyFromText(keyText.value);
    let inspection: Inspection | null = null;
    try {
      // Every format the page reads (site/library.ts), unverified; an encrypted Keygen file opens with the license key given.
      inspection = lk.inspectLicense(licenseInput, { licenseKey: form.options.licenseKey, fingerprint: form.options.fingerprint });
    } catch {
      // unreadable: verifyLicense reports the typed error
    }
    let ring: KeyRing | null = null;
    const keyErrors: FieldError[] = [];
    if (key !== null) {
      try {
        ring = lk.importKeyRing(key as Parameters<LicenseKit['importKeyRing']>[0]);
      } catch (error) {
        const e = errorOf(error);
        keyErrors.push({ field: 'key', message: `${e.code}: ${e.message}` });
      }
    }
    const nowMs = (form.now ?? new Date()).getTime(); // the clock, read here only when no time is given
    let outcome: Outcome;
    if (form.errors.length > 0) outcome = { kind: 'unchecked', why: `fix ${form.errors.map((e) => e.field).join(', ')}` };
    else if (key === null) outcome = { kind: 'unchecked', why: "paste the vendor's public key" };
    else {
      try {
        outcome = { kind: 'verdict', verdict: await lk.verifyLicense(licenseInput, { ...form.options, key: key as Parameters<LicenseKit['verifyLicense']>[1]['key'], now: nowMs }) };
      } catch (error) {
        outcome = { kind: 'error', ...errorOf(error) };
      }
    }
    if (mine !== seq) return; // the input changed meanwhile: a newer check is scheduled
    showFieldErrors([...form.errors, ...keyErrors]);
    const result: Result = { outcome, inspection, ring, nowMs, options: form.options };
    const line = verdictLine(outcome);
    if (verdictEl.textContent !== line) verdictEl.textContent = line; // announced by aria-live only when it changes
    box.dataset.state = outcome.kind === 'verdict' ? (outcome.verdict.valid ? 'valid' : 'invalid') : 'error';
    fill(note, verdictNote(lk, outcome));
    const trusted = outcome.kind === 'verdict' ? outcome.verdict.license : null;
    const shown = trusted ?? inspection?.license ?? null;
    fill(
      details,
      untrustedBanner(outcome, inspection),
      outcome.kind === 'verdict' ? checksSection(outcome.verdict) : null,
      outcome.kind === 'verdict' ? reasonsSection(lk, outcome.verdict) : null,
      shown ? timelineSection(shown, result, trusted !== null) : null,
      shown ? claimsSection(shown, trusted !== null) : null,
      inspection || outcome.kind === 'verdict' ? signatureSection(result) : null,
    );
    box.dataset.runs = String(++runs); // for tests: one more input fully shown
    verdictEl.setAttribute('aria-busy', 'false');
  };

  const schedule = (): void => {
    verdictEl.setAttribute('aria-busy', 'true');
    clearTimeout(timer);
    // A check still running for older input is discarded when it ends.
    const ticket = ++seq;
    timer = setTimeout(() => void run(ticket), DEBOUNCE_MS);
  };

  const fileNote = (id: string, loaded: Loaded | null, what: string): void => {
    const el = byId(`${id}-file-note`);
    if (loaded === null) {
      el.replaceChildren();
      return;
    }
    const clear = h('button', { type: 'button', class: 'link' }, 'remove');
    clear.addEventListener('click', () => {
      if (id === 'license') licenseFile = null;
      else keyFile = null;
      fileNote(id, null, what);
      schedule();
    });
    fill(el, `${what} ${loaded.name} (${loaded.bytes.length} bytes, binary) is loaded; typing in the field replaces it. `, clear);
  };

  const load = async (file: File, into: 'license' | 'key'): Promise<void> => {
    if (file.size > MAX_FILE_BYTES) {
      fill(byId(`${into}-file-note`), `${file.name} is ${file.size} bytes: too large for a license or key.`);
      return;
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    const asText = fileAsText(bytes);
    const area = into === 'license' ? licenseText : keyText;
    // A DER key (a SEQUENCE, 0x30) stays bytes; any other readable text goes into the field, where it can be edited.
    const loaded = asText === null || (into === 'key' && bytes[0] === 0x30) ? { name: file.name, bytes } : null;
    if (into === 'license') licenseFile = loaded;
    else keyFile = loaded;
    area.value = loaded === null ? (asText ?? '') : '';
    fileNote(into, loaded, into === 'license' ? 'The license file' : 'The key file');
    schedule();
  };

  for (const [area, picker, into] of [
    [licenseText, byId<HTMLInputElement>('license-file'), 'license'],
    [keyText, byId<HTMLInputElement>('key-file'), 'key'],
  ] as const) {
    area.addEventListener('input', () => {
      if (into === 'license' && licenseFile !== null) {
        licenseFile = null;
        fileNote('license', null, '');
      }
      if (into === 'key' && keyFile !== null) {
        keyFile = null;
        fileNote('key', null, '');
      }
      schedule();
    });
    picker.addEventListener('change', () => {
      const file = picker.files?.[0];
      if (file) void load(file, into);
      picker.value = '';
    });
    area.addEventListener('dragover', (event) => {
      event.preventDefault();
      area.classList.add('drop');
    });
    area.addEventListener('dragleave', () => area.classList.remove('drop'));
    area.addEventListener('drop', (event) => {
      event.preventDefault();
      area.classList.remove('drop');
      const file = event.dataTransfer?.files[0];
      if (file) void load(file, into);
      else {
        const dropped = event.dataTransfer?.getData('text/plain');
        if (dropped) {
          area.value = dropped;
          area.dispatchEvent(new Event('input'));
        }
      }
    });
  }
  // A file dropped beside the fields must not navigate away from the page (and lose what was typed).
  for (const type of ['dragover', 'drop'] as const) window.addEventListener(type, (event) => event.preventDefault());
  byId('inputs').addEventListener('input', (event) => {
    if (event.target !== licenseText && event.target !== keyText) schedule();
  });
  byId('inputs').addEventListener('change', (event) => {
    if ((event.target as HTMLElement).id === 'allowOverdraft' || (event.target as HTMLElement).id === 'backend') schedule();
  });
  byId('inputs').addEventListener('submit', (event) => event.preventDefault());
  schedule();
}

start();
