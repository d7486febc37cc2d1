/**
 * Offline activation for Node: the same API as `index.ts`, with the vendor
 * side's defaults filled in: node:crypto signs the response, and a seat's
 * recorded fingerprint matches the request's tolerantly (`matchFingerprint`,
 * its default policy: a disk swap keeps the seat, a cloned image does not).
 */
import { nodeBackend } from '../backends/node.ts';
import { matchFingerprint } from '../fingerprint/match.ts';
import { parseRecordedFingerprint } from '../fingerprint/recorded.ts';
import { respondToActivationRequest as respondCore, type ActivationResponse, type RespondOptions } from './respond.ts';

export * from './index.ts';

/** True when two recorded fingerprints (serialised) are the same machine under the default matching policy. */
export function sameMachine(recorded: string, offered: string): boolean {
  return matchFingerprint(recorded, parseRecordedFingerprint(offered)).matched;
}

/** {@link respondCore} with node:crypto signing and tolerant fingerprint matching unless the options say otherwise. */
export function respondToActivationRequest(request: string | Uint8Array, options: RespondOptions): Promise<ActivationResponse> {
  return respondCore(request, { backend: nodeBackend, sameMachine, ...options });
}
