/**
 * AES-256-GCM from node:crypto, for Node's `licensekit`: OpenSSL's AES needs no
 * tables built in JavaScript at load (the pure-JavaScript one costs about
 * 12 ms of every start-up). Node-only.
 */
import { createDecipheriv } from 'node:crypto';
import type { AesGcmOpen } from './decrypt.ts';

const TAG_BYTES = 16;

/** Opens AES-256-GCM with node:crypto; throws when the tag does not check. */
export const nodeAesGcmOpen: AesGcmOpen = (key, iv, sealed) => {
  if (sealed.length < TAG_BYTES) throw new Error('AES-GCM: shorter than its tag');
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  const head = decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES));
  const tail = decipher.final(); // throws when the tag does not check
  const out = new Uint8Array(head.length + tail.length);
  out.set(head);
  out.set(tail, head.length);
  return out;
};
