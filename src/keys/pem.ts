/**
 * PEM and DER public keys: SPKI (`PUBLIC KEY`) for RSA and Ed25519, and PKCS#1
 * (`RSA PUBLIC KEY`). Private keys and certificates are recognised and refused
 * with their own codes, so a vendor who ships the wrong file is told so.
 */
import { decodeBase64 } from '../lib/bytes.ts';
import { KeyError } from '../lib/errors.ts';
import { readChildren, readOid, readSingle, readUnsignedInteger } from './der.ts';
import { createEd25519PublicKey, createRsaPublicKey, type PublicKey } from './public-key.ts';

const OID_RSA = '1.2.840.113549.1.1.1';
const OID_ED25519 = '1.3.101.112';
const PEM_LABEL = /^-----(BEGIN|END) ([A-Z0-9 ]{1,64})-----/;

/** True when the text looks like PEM (has a BEGIN line). */
export function looksLikePem(text: string): boolean {
  return text.includes('-----BEGIN ');
}

/** Imports the first PEM block of `text` as a public key. */
export function importPem(text: string): PublicKey {
  // A linear scan: the first BEGIN line, then the first END line after it.
  const begin = text.indexOf('-----BEGIN ');
  const open = begin < 0 ? null : PEM_LABEL.exec(text.slice(begin, begin + 80));
  const bodyStart = open ? begin + open[0].length : -1;
  const end = open ? text.indexOf('-----END ', bodyStart) : -1;
  const close = end < 0 ? null : PEM_LABEL.exec(text.slice(end, end + 80));
  if (!open || open[1] !== 'BEGIN' || !close) throw new KeyError('ERR_KEY_INVALID', 'PEM text has no complete BEGIN/END block');
  const label = open[2]!;
  const body = text.slice(bodyStart, end);
  if (label !== close[2]) throw new KeyError('ERR_KEY_INVALID', `PEM BEGIN "${label}" does not match END "${close[2]}"`);
  if (label.includes('PRIVATE')) {
    throw new KeyError('ERR_KEY_PRIVATE', `a private key (${label}) was given where the public key belongs; never ship the private key`);
  }
  if (label === 'CERTIFICATE' || label === 'X509 CERTIFICATE' || label === 'TRUSTED CERTIFICATE') {
    throw new KeyError('ERR_KEY_CERTIFICATE', 'a certificate was given; pass its public key (openssl x509 -pubkey -noout)');
  }
  if (label !== 'PUBLIC KEY' && label !== 'RSA PUBLIC KEY') {
    throw new KeyError('ERR_KEY_UNSUPPORTED', `unsupported PEM block "${label}"`);
  }
  const der = decodeBase64(body.replace(/[\r\n\t ]/g, ''));
  if (typeof der === 'string') throw new KeyError('ERR_KEY_INVALID', `PEM body is not valid base64 (${der})`);
  return label === 'RSA PUBLIC KEY' ? importPkcs1(der) : importSpki(der);
}

/** Imports a DER-encoded PKCS#1 RSAPublicKey. */
export function importPkcs1(der: Uint8Array): PublicKey {
  const seq = readSingle(der);
  const parts = seq && seq.tag === 0x30 ? readChildren(seq.contents) : null;
  if (!parts || parts.length !== 2) throw new KeyError('ERR_KEY_INVALID', 'RSAPublicKey is not SEQUENCE { n, e }');
  const n = readUnsignedInteger(parts[0]!);
  const e = readUnsignedInteger(parts[1]!);
  if (!n || !e) throw new KeyError('ERR_KEY_INVALID', 'RSAPublicKey integers are malformed');
  return createRsaPublicKey(n, e);
}

/** Imports a DER-encoded SubjectPublicKeyInfo (RSA or Ed25519). */
export function importSpki(der: Uint8Array): PublicKey {
  const seq = readSingle(der);
  const parts = seq && seq.tag === 0x30 ? readChildren(seq.contents) : null;
  if (!parts || parts.length !== 2 || parts[0]!.tag !== 0x30 || parts[1]!.tag !== 0x03) {
    throw new KeyError('ERR_KEY_INVALID', 'SubjectPublicKeyInfo is malformed');
  }
  const algorithm = readChildren(parts[0]!.contents);
  const oid = algorithm && algorithm[0] ? readOid(algorithm[0]) : null;
  const bits = parts[1]!.contents;
  if (!oid || bits.length < 1 || bits[0] !== 0) throw new KeyError('ERR_KEY_INVALID', 'SubjectPublicKeyInfo is malformed');
  const keyBytes = bits.subarray(1);
  if (oid === OID_RSA) {
    const params = algorithm!.slice(1);
    if (params.length > 1 || (params.length === 1 && (params[0]!.tag !== 0x05 || params[0]!.contents.length !== 0))) {
      throw new KeyError('ERR_KEY_INVALID', 'rsaEncryption parameters must be NULL');
    }
    return importPkcs1(keyBytes);
  }
  if (oid === OID_ED25519) {
    if (algorithm!.length !== 1) throw new KeyError('ERR_KEY_INVALID', 'Ed25519 AlgorithmIdentifier must have no parameters');
    return createEd25519PublicKey(keyBytes);
  }
  throw new KeyError('ERR_KEY_UNSUPPORTED', `unsupported key algorithm ${oid} (licensekit verifies RSA and Ed25519)`);
}
