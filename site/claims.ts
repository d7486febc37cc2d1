/**
 * A license as rows of a readable table: the neutral model's fields (what the
 * rules read), then the format's own claims. Dates stay dates, so the page
 * shows each in the viewer's zone and in UTC.
 */
import type { License } from '../src/index.ts';

export type Cell = string | Date | null;

export interface ClaimRow {
  readonly name: string;
  readonly value: Cell;
}

const FLAGS = ['F1', 'F2', 'F3', 'F4', 'F5', 'F6', 'F7', 'F8'] as const;

/** Any value as short readable text: JSON for objects (bytes as hex), `null` for nothing. */
export function text(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Uint8Array) return `h'${Array.from(v, (b) => b.toString(16).padStart(2, '0')).join('')}'`;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
  try {
    return JSON.stringify(v, (_, x: unknown) => (x instanceof Uint8Array ? text(x) : typeof x === 'bigint' ? String(x) : x));
  } catch {
    return String(v);
  }
}

const date = (d: Date | null): Cell => (d instanceof Date && !Number.isNaN(d.getTime()) ? d : null);

/** The neutral model's fields that carry something, in reading order. */
export function licenseRows(l: License): ClaimRow[] {
  const rows: ClaimRow[] = [];
  const add = (name: string, value: Cell): void => {
    if (value !== null && value !== '') rows.push({ name, value });
  };
  add('format', l.format);
  add('license id', text(l.id));
  add('license key', l.key);
  add('product', l.product ?? text(l.productId));
  add('issuer', l.issuer);
  add('issued', date(l.created));
  add('signed', date(l.signDate));
  add('not before', date(l.notBefore));
  add('expires', l.expires === null ? 'never (no expiry date)' : date(l.expires));
  if (l.graceDays !== null) add('grace period', `${l.graceDays} days after expiry`);
  if (l.maxSignatureAgeSeconds !== null) add('maximum offline age', `${l.maxSignatureAgeSeconds} seconds (${(l.maxSignatureAgeSeconds / 86_400).toFixed(2).replace(/\.?0+$/, '')} days)`);
  const features = l.features;
  const on = FLAGS.filter((f) => features[f] === true);
  const masked = FLAGS.filter((f) => features[f] === null);
  add('feature flags', `${on.length > 0 ? on.join(' ') : 'none'}${masked.length > 0 ? ` (not shown in the file: ${masked.join(' ')})` : ''}`);
  if (l.entitlements.length > 0) add('entitlements', l.entitlements.join(', '));
  if (l.block !== null) add('blocked', l.block ? 'yes' : 'no');
  if (l.maxNoOfMachines !== null) add('machine limit', l.maxNoOfMachines === 0 ? '0 (not node-locked)' : String(l.maxNoOfMachines));
  for (const m of l.activatedMachines ?? []) {
    const kind = m.overdraft ? 'floating overdraft' : m.floating ? 'floating' : 'activated';
    const lease = m.floatingExpires ? `, lease until ${m.floatingExpires.toISOString()}` : '';
    add(`machine (${kind})`, `${m.machineCode}${m.friendlyName ? ` "${m.friendlyName}"` : ''}${m.ip ? ` from ${m.ip}` : ''}${m.time ? ` at ${m.time.toISOString()}` : ''}${lease}`);
  }
  if (l.allowedMachines && l.allowedMachines.length > 0) add('allowed machines', l.allowedMachines.join(', '));
  if (l.floatingLeaseSeconds !== null) add('floating lease', `${l.floatingLeaseSeconds} seconds`);
  add('fingerprint', l.fingerprint);
  if (l.licenseeSecret !== null) add('licensee secret', `${l.licenseeSecret.mode} mode${l.licenseeSecret.hash ? ' (a salted hash of the secret is signed in)' : ''}`);
  if (l.bindHwid) add('HWID binding', 'the first validation binds the HWID');
  const c = l.customer;
  if (c !== null) add('customer', [c.name, c.companyName, c.email, c.id === null ? null : `id ${c.id}`].filter((x) => x !== null && x !== '').join(' · ') || text(c.extra));
  add('notes', l.notes);
  for (const [k, v] of Object.entries(l.metadata)) add(`metadata: ${k}`, text(v));
  for (const k of Object.keys(l.claims)) add(`claim: ${k}`, text(l.claims[k]));
  return rows;
}
