/**
 * AES-256-GCM from @noble/ciphers (audited, pure JavaScript): the same code on
 * every host, browsers and bare engines included. Used by `licensekit/keygen`
 * and the inspector page; Node's entry uses node:crypto instead (this module
 * builds its AES tables when it loads).
 */
import { gcm } from '@noble/ciphers/aes.js';
import type { AesGcmOpen } from './decrypt.ts';

/** Opens AES-256-GCM with @noble/ciphers; throws when the tag does not check. */
export const nobleAesGcmOpen: AesGcmOpen = (key, iv, sealed) => gcm(key, iv).decrypt(sealed);
