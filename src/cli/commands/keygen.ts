/**
 * `licensekit keygen --out DIR [--alg ed25519|rs256] [--bits N] [--force]`:
 * makes a vendor key pair (Ed25519 by default, for native licenses; RSA for
 * Cryptolens-format licenses) and writes the private JWK (mode 0600) and the
 * public key as PEM and JWK, and for RSA as Cryptolens' XML. An existing key file is never replaced without `--force`: a vendor who
 * loses the private key can no longer issue licenses that shipped programs
 * accept. Files are created exclusively (O_CREAT|O_EXCL, which also refuses a
 * symbolic link at the path, dangling or not), so a planted link is never
 * followed and an old file's mode is never kept; `--force` removes the old
 * entry (the link itself, not what it points to) and creates a new file.
 */
import { constants } from 'node:fs';
import { lstat, mkdir, open, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { CliExit, EXIT, type CliIo } from '../io.ts';
import { integerFlag, parseCommandArgs } from '../args.ts';
import { describeFsError } from '../files.ts';
import { generateVendorKeyPair, keyId } from '../../issuer/index.ts';
import { importJwk } from '../../keys/jwk.ts';

/** `--help` text of the keygen command. */
export const KEYGEN_HELP = `licensekit keygen --out DIR [--alg ed25519|rs256] [--bits 2048|3072|4096] [--force]

Writes DIR/private.jwk.json (keep it secret; created with mode 0600), DIR/public.pem,
DIR/public.jwk.json and, for RSA keys, DIR/public.xml (Cryptolens <RSAKeyValue>).
DIR is created when missing. Prints the key id: the public key's RFC 7638 JWK thumbprint (SHA-256,
base64url), also written as "kid" in public.jwk.json. The id is the same whichever
file a program reads the key from; native licenses carry it, and verdicts report it.

  --out DIR     where to write the files (required)
  --alg ALG     ed25519 (default: small, fast keys for native licenses, which sign EdDSA)
                or rs256 (RSA: Cryptolens-format licenses, or native licenses signed
                PS256/RS256)
  --bits N      RSA modulus size: 2048 (default), 3072 or 4096 (rs256 only)
  --force       replace key files that already exist. Without it keygen refuses and
                writes nothing: licenses issued with the old private key stop being
                the ones your programs can check against a new public key.

Files are created new (never through a symbolic link at their path, never keeping an
old file's permissions).

Exit status: 0 written, 2 bad usage, or a file exists (without --force), or DIR
cannot be written.`;

/** The files keygen writes, in order, with their modes (`rsa`: only for RSA keys). */
const ALL_FILES = [
  { name: 'private.jwk.json', mode: 0o600, rsa: false },
  { name: 'public.xml', mode: 0o644, rsa: true },
  { name: 'public.pem', mode: 0o644, rsa: false },
  { name: 'public.jwk.json', mode: 0o644, rsa: false },
] as const;

// O_NOFOLLOW is redundant with O_EXCL on POSIX but states the intent; 0 where the platform lacks it.
const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new CliExit(EXIT.USAGE, `--out: cannot check ${path}: ${describeFsError(error)}`);
  }
}

async function createNew(path: string, text: string, mode: number): Promise<void> {
  let handle;
  try {
    handle = await open(path, CREATE_NEW, mode);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const hint = code === 'EEXIST' ? ' (created by someone else meanwhile; nothing was overwritten)' : '';
    throw new CliExit(EXIT.USAGE, `cannot create ${path}: ${describeFsError(error)}${hint}`);
  }
  try {
    await handle.chmod(mode); // exactly `mode`, whatever the umask
    await handle.writeFile(text);
  } catch (error) {
    throw new CliExit(EXIT.USAGE, `cannot write ${path}: ${describeFsError(error)}`);
  } finally {
    await handle.close();
  }
}

/**
 * Creates `dir` and its missing parents one level at a time. (Node's
 * `mkdir(…, { recursive: true })` loops forever where the kernel answers
 * ENOENT for a path whose parent exists, as under /proc.)
 */
async function makeDirectories(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let current = resolve(dir); ; ) {
    let info;
    try {
      info = await stat(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new CliExit(EXIT.USAGE, `--out ${dir}: cannot use ${current}: ${describeFsError(error)}`);
      missing.push(current);
      const parent = dirname(current);
      if (parent === current) break;
      current = parent;
      continue;
    }
    if (!info.isDirectory()) throw new CliExit(EXIT.USAGE, `--out ${dir}: ${current} is not a directory; expected a directory to write the key files into (it is created when missing)`);
    break;
  }
  for (const path of missing.reverse()) {
    try {
      await mkdir(path);
    } catch (error) {
      throw new CliExit(EXIT.USAGE, `--out ${dir}: cannot create the directory ${path}: ${describeFsError(error)}`);
    }
  }
}

/** Runs `licensekit keygen`. */
export async function keygenCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(
    args,
    { out: { type: 'string', value: 'DIR' }, alg: { type: 'string', value: 'ed25519|rs256' }, bits: { type: 'string', value: '2048|3072|4096' }, force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    { command: 'keygen' },
  );
  if (values.help) {
    io.stdout(KEYGEN_HELP);
    return EXIT.OK;
  }
  if (!values.out) throw new CliExit(EXIT.USAGE, 'keygen needs --out DIR (see licensekit keygen --help)');
  const alg = (values.alg ?? 'ed25519').toLowerCase();
  if (alg !== 'ed25519' && alg !== 'rs256') throw new CliExit(EXIT.USAGE, `--alg must be ed25519 or rs256, got "${values.alg}"`);
  const rsa = alg === 'rs256';
  if (!rsa && values.bits !== undefined) throw new CliExit(EXIT.USAGE, '--bits applies to RSA keys only: give --alg rs256, or leave --bits out for an Ed25519 key');
  const bits = integerFlag('bits', values.bits) ?? 2048;
  if (![2048, 3072, 4096].includes(bits)) throw new CliExit(EXIT.USAGE, `--bits must be 2048, 3072 or 4096, got "${values.bits}"`);
  const FILES = ALL_FILES.filter((f) => rsa || !f.rsa);
  const dir = values.out;

  await makeDirectories(dir);

  const paths = FILES.map((f) => join(dir, f.name));
  // Every key file counts, also one this kind of key does not write (an RSA pair's public.xml beside a new Ed25519 pair would be stale).
  const present: string[] = [];
  for (const f of ALL_FILES) if (await exists(join(dir, f.name))) present.push(join(dir, f.name));
  if (present.length > 0 && !values.force) {
    throw new CliExit(
      EXIT.USAGE,
      `refusing to overwrite ${present.join(', ')}: replacing the vendor key pair means programs shipped with the old public key refuse every license signed by the new private key. Choose another --out DIR, or give --force to replace them`,
    );
  }

  const pair = await generateVendorKeyPair(rsa ? { algorithm: 'RS256', modulusLength: bits } : { algorithm: 'EdDSA' });
  const kid = keyId(importJwk(pair.publicJwk));
  const publicJwk = { ...pair.publicJwk, kid };
  const byName: Record<string, string> = {
    'private.jwk.json': JSON.stringify(pair.privateJwk, null, 2) + '\n',
    'public.xml': (pair.publicKeyXml ?? '') + '\n',
    'public.pem': pair.publicKeyPem,
    'public.jwk.json': JSON.stringify(publicJwk, null, 2) + '\n',
  };
  const texts = FILES.map((f) => byName[f.name]!);
  if (values.force) {
    for (const path of present) {
      try {
        await unlink(path); // the entry itself: a symbolic link goes, its target stays untouched
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new CliExit(EXIT.USAGE, `--force: cannot remove ${path}: ${describeFsError(error)}`);
      }
    }
  }
  for (const [i, file] of FILES.entries()) await createNew(paths[i]!, texts[i]!, file.mode);
  const what = rsa ? `${bits}-bit RSA key pair` : 'Ed25519 key pair';
  io.stdout(`wrote ${what} to ${dir} (${FILES.map((f) => (f.mode === 0o600 ? `${f.name} mode 0600` : f.name)).join(', ')})${present.length > 0 ? `, replacing ${present.length} existing file(s)` : ''}`);
  io.stdout(`key id ${kid}`);
  return EXIT.OK;
}
