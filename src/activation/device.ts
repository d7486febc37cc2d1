/**
 * The device key of a local state (offline activation): an Ed25519 key pair
 * the state generates once and keeps sealed; its public half and RFC 7638
 * thumbprint identify the machine's state to the vendor. Requests and
 * deactivation receipts are COSE_Sign1 messages signed with it, on the
 * pure-JavaScript backend, so this runs on every host.
 */
import type { PrivateJwk } from '../backends/backend.ts';
import { generateEd25519KeyPair } from '../backends/purejs/ed25519.ts';
import { purejsBackend } from '../backends/purejs/index.ts';
import { importPublicKey } from '../keys/import.ts';
import type { PublicKey } from '../keys/public-key.ts';
import { keyId } from '../keys/thumbprint.ts';
import { decodeBase64Url, encodeBase64Url } from '../lib/bytes.ts';
import { signClaimsSet } from '../formats/native/issue.ts';
import type { CoseSign1 } from '../formats/native/cose.ts';
import type { DeviceKeyPair } from '../state/document.ts';

/** A new device key pair from the host's CSPRNG (captured when licensekit loaded). */
export function generateDeviceKey(): DeviceKeyPair {
  const { privateJwk } = generateEd25519KeyPair();
  const seed = decodeBase64Url(privateJwk.d!) as Uint8Array;
  const publicKey = decodeBase64Url(privateJwk.x!) as Uint8Array;
  return { seed, publicKey };
}

/** The device's public JWK. */
export function devicePublicJwk(publicKey: Uint8Array): { kty: 'OKP'; crv: 'Ed25519'; x: string } {
  return { kty: 'OKP', crv: 'Ed25519', x: encodeBase64Url(publicKey) };
}

/** The device's public key, imported (throws `KeyError` for bytes that are not an Ed25519 point encoding of 32 bytes). */
export function importDeviceKey(publicKey: Uint8Array): PublicKey {
  return importPublicKey(devicePublicJwk(publicKey));
}

/** The device key's id: its RFC 7638 thumbprint (43 base64url characters). */
export function deviceKeyId(publicKey: Uint8Array): string {
  return keyId(importDeviceKey(publicKey));
}

function privateJwkOf(device: DeviceKeyPair): PrivateJwk {
  return { ...devicePublicJwk(device.publicKey), d: encodeBase64Url(device.seed) };
}

/** Signs a claims set (built at `now`) with the device key: COSE_Sign1, EdDSA, `kid` the device key id. */
export async function signAsDevice(device: DeviceKeyPair, build: (now: Date) => Map<number | string, unknown>, now: Date): Promise<Uint8Array> {
  return (await signClaimsSet(build, { privateJwk: privateJwkOf(device), algorithm: 'EdDSA', backend: purejsBackend, now })).bytes;
}

/** True when `cose` is an EdDSA message whose signature verifies under `key` over the bytes received. */
export function verifiedBy(cose: CoseSign1, key: PublicKey): boolean {
  if (cose.algorithm !== 'EdDSA') return false;
  try {
    return purejsBackend.verifySync!('EdDSA', key, cose.toBeSigned, cose.signature);
  } catch {
    return false;
  }
}
