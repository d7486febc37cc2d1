/**
 * Keygen files made in tests, as Keygen's server makes them (its documented
 * layout, with node:crypto — an implementation independent of the one under
 * test): a JSON:API document, optionally AES-256-GCM encrypted under
 * SHA-256(license key [+ fingerprint]), `enc` = ciphertext.iv.tag in base64,
 * signed over `license/` (or `machine/`) + enc, armoured in 60-character lines.
 */
import { constants, createCipheriv, createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

export interface TestKeys {
  readonly ed25519: { privateKey: KeyObject; publicHex: string; publicPem: string };
  readonly rsa: { privateKey: KeyObject; publicPem: string };
}

let cached: TestKeys | null = null;

/** An Ed25519 and a 2048-bit RSA key pair, made once per test file. */
export function testKeys(): TestKeys {
  if (cached) return cached;
  const ed = generateKeyPairSync('ed25519');
  const spki = ed.publicKey.export({ format: 'der', type: 'spki' });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  cached = {
    ed25519: { privateKey: ed.privateKey, publicHex: spki.subarray(spki.length - 32).toString('hex'), publicPem: ed.publicKey.export({ format: 'pem', type: 'spki' }).toString() },
    rsa: { privateKey: rsa.privateKey, publicPem: rsa.publicKey.export({ format: 'pem', type: 'spki' }).toString() },
  };
  return cached;
}

export interface LicenseDocOptions {
  key?: string;
  expiry?: string | null;
  status?: string;
  suspended?: boolean;
  entitlements?: string[];
  maxMachines?: number | null;
  issued?: string;
  fileExpiry?: string | null;
  ttl?: number | null;
}

/** A license file's document, as Keygen's checkout returns it. */
export function licenseDocument(o: LicenseDocOptions = {}): Record<string, unknown> {
  return {
    data: {
      id: '11111111-2222-3333-4444-555555555555',
      type: 'licenses',
      attributes: { name: 'Test', key: o.key ?? 'TEST-KEY', expiry: o.expiry ?? null, status: o.status ?? 'ACTIVE', suspended: o.suspended ?? false, maxMachines: o.maxMachines ?? null, metadata: { tier: 'pro' }, created: '2024-01-01T00:00:00.000Z' },
      relationships: { product: { data: { type: 'products', id: 'prod-1' } }, policy: { data: { type: 'policies', id: 'pol-1' } } },
    },
    included: (o.entitlements ?? []).map((code, i) => ({ type: 'entitlements', id: `ent-${i}`, attributes: { code, name: code } })),
    meta: { issued: o.issued ?? '2024-06-01T00:00:00.000Z', expiry: o.fileExpiry ?? null, ttl: o.ttl ?? null },
  };
}

/** A machine file's document: the machine, and its license included. */
export function machineDocument(fingerprint: string, o: LicenseDocOptions = {}): Record<string, unknown> {
  const license = licenseDocument(o) as { data: Record<string, unknown>; included: unknown[]; meta: unknown };
  return {
    data: { id: 'mach-1', type: 'machines', attributes: { fingerprint, name: 'box', created: '2024-05-01T00:00:00.000Z' }, relationships: { license: { data: { type: 'licenses', id: license.data.id } } } },
    included: [license.data, ...license.included],
    meta: license.meta,
  };
}

export interface FileOptions {
  kind?: 'license' | 'machine';
  encrypt?: { licenseKey: string; fingerprint?: string } | null;
  /** rsa-pss-sha256 signs as Keygen's server does: OpenSSL PSS, SHA-256, MGF1-SHA-256, `salt_length: :max` (or `pssSalt` bytes, to make a wrong one). */
  signature?: 'ed25519' | 'rsa-sha256' | 'rsa-pss-sha256';
  pssSalt?: number;
}

/** The armoured file text. */
export function makeKeygenFile(doc: unknown, o: FileOptions = {}): string {
  const kind = o.kind ?? 'license';
  const plain = Buffer.from(JSON.stringify(doc));
  let enc: string;
  if (o.encrypt) {
    const key = createHash('sha256').update(o.encrypt.licenseKey + (o.encrypt.fingerprint ?? '')).digest();
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const ct = Buffer.concat([cipher.update(plain), cipher.final()]);
    enc = [ct, iv, cipher.getAuthTag()].map((b) => b.toString('base64')).join('.');
  } else enc = plain.toString('base64');
  const scheme = o.signature ?? 'ed25519';
  const data = Buffer.from(`${kind}/${enc}`);
  const keys = testKeys();
  const sig =
    scheme === 'ed25519'
      ? sign(null, data, keys.ed25519.privateKey)
      : scheme === 'rsa-pss-sha256'
        ? sign('sha256', data, { key: keys.rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: o.pssSalt ?? constants.RSA_PSS_SALTLEN_MAX_SIGN })
        : sign('sha256', data, keys.rsa.privateKey);
  const alg = `${o.encrypt ? 'aes-256-gcm' : 'base64'}+${scheme}`;
  const body = Buffer.from(JSON.stringify({ enc, sig: sig.toString('base64'), alg })).toString('base64');
  const label = kind === 'machine' ? 'MACHINE' : 'LICENSE';
  return `-----BEGIN ${label} FILE-----\n${body.match(/.{1,60}/g)!.join('\n')}\n-----END ${label} FILE-----\n`;
}

/** base64url with padding, as Ruby's `Base64.urlsafe_encode64` (keygen-api) writes it. */
const urlsafe = (bytes: Buffer): string => bytes.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');

/** An ED25519_SIGN key over a dataset, spelt as Keygen writes it (both parts padded base64url). */
export function makeSignedKey(dataset: string): string {
  const encoded = urlsafe(Buffer.from(dataset));
  const sig = sign(null, Buffer.from(`key/${encoded}`), testKeys().ed25519.privateKey);
  return `key/${encoded}.${urlsafe(sig)}`;
}

/**
 * An RSA `*_SIGN_V2` signed key, as keygen-api's `generate_pkcs1_signed_key!` / `generate_pkcs1_pss_signed_key!`
 * (version 2) make it: `key/` + base64url (padded, Ruby's urlsafe_encode64) of the dataset, signed with PKCS#1 v1.5
 * or PSS (SHA-256, MGF1-SHA-256, `salt_length: :max`; `pssSalt` to make a wrong one), `.`, the base64url signature.
 */
export function makeRsaSignedKey(dataset: string, padding: 'pkcs1' | 'pss', pssSalt?: number): string {
  const signingData = `key/${Buffer.from(dataset).toString('base64').replace(/\+/g, '-').replace(/\//g, '_')}`;
  const privateKey = testKeys().rsa.privateKey;
  const sig =
    padding === 'pkcs1'
      ? sign('sha256', Buffer.from(signingData), privateKey)
      : sign('sha256', Buffer.from(signingData), { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: pssSalt ?? constants.RSA_PSS_SALTLEN_MAX_SIGN });
  return `${signingData}.${sig.toString('base64').replace(/\+/g, '-').replace(/\//g, '_')}`;
}
