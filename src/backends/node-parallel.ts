/**
 * Parallel signature checks for the node backend's `verifyParallel`: a small
 * pool of worker threads (one per core beyond the first, at most four)
 * running synchronous `crypto.verify`, fed in chunks as the calling thread
 * parses licenses, with work stealing one signature at a time: each chunk
 * carries a shared claim word (how many of its checks the worker has taken
 * from the front, how many the calling thread from the back), so whoever
 * claims a check verifies it. Whenever the calling thread has nothing else to
 * do (no license to parse, no answer to finish) it takes a slice of about
 * 0.1 ms of checks from the back of the newest chunk, then lets the event
 * loop deliver the workers' answers before it takes the next slice; the
 * workers take theirs from the front of the oldest. A worker publishes each
 * answer in the chunk's shared memory as soon as it has it, and the calling
 * thread takes those answers after each of its slices, so their licenses are
 * finished while the worker goes on rather than in a burst when the chunk's
 * message comes (at a batch's end, with the worker idle). Both sides run out of
 * work within one slice of each other, however the calling thread's own work
 * (parsing, evaluating the rules) compares with a signature check.
 *
 * Why not `crypto.verify(…, callback)` on the libuv threadpool: on Node 20
 * (OpenSSL 3.0), on this project's 2-core machine, each threadpool job cost
 * the main thread about 10 µs to dispatch and collect, a third of a whole
 * RSA-2048 verification, and a batch gained only about 1.3x. A worker gets
 * 32 signatures in one transferred buffer, which makes the hand-over cheap.
 *
 * Guarantees:
 * - never much slower than verifying on the calling thread: until a worker is
 *   online (some tens of milliseconds after the first large batch), and
 *   whenever the calling thread would otherwise wait, it verifies chunks itself;
 * - no job is lost or answered twice: a chunk is verified by whoever claims it;
 *   every way a worker leaves the pool (idle exit, crash, exiting by itself,
 *   busy or not) goes through `retire`, which hands its unanswered checks back
 *   to the queue before the link is marked dead (those neither the calling
 *   thread took nor whose published answer it has taken already), so a dead
 *   link never holds a chunk; if a worker dies (rather than exiting for being idle), no worker is
 *   started again in this process;
 * - a worker keeps the process alive only while it has work, and exits after
 *   a few idle seconds: the idle deadline is cancelled as soon as new work
 *   arrives, and when it passes it ends the workers only if nothing is queued
 *   and no worker has a chunk (otherwise the next idle moment arms it again).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { PublicKey } from '../keys/public-key.ts';

/** How a check is asked of node:crypto (see `node.ts`): the digest, and the PSS salt length for PS256 (`null`: no PSS). */
interface Scheme {
  readonly digest: string | null;
  readonly pssSaltLength: number | null;
}

/** One signature check waiting for an answer. */
interface Job {
  readonly scheme: Scheme;
  readonly key: PublicKey;
  readonly data: Uint8Array;
  readonly signature: Uint8Array;
  /** The same check on the calling thread. */
  readonly here: () => boolean;
  readonly resolve: (ok: boolean) => void;
}

/** Signatures per message to a worker. */
const CHUNK = 32;
/**
 * Signatures the calling thread verifies before it yields to the event loop (answers to finish, new work):
 * about 0.1 ms of work, one Ed25519 check (about 0.1 ms on OpenSSL 3.0) or four RSA-2048 ones (about 25 us each).
 */
const sliceFor = (scheme: Scheme): number => (scheme.digest === null ? 1 : 4);
/** The claim word of a chunk: the low 16 bits count the checks the worker took from the front, the high 16 bits those the calling thread took from the back. */
const BACK = 0x10000;
/** A worker with nothing to do for this long exits (see {@link setParallelIdleMs}). */
const IDLE_MS = 5_000;
let idleMs = IDLE_MS;

/** The worker: a CommonJS script (evaluated, so it works from sources and from every bundle). */
const WORKER_SOURCE = `
'use strict';
const { parentPort } = require('node:worker_threads');
const { constants, createPublicKey, verify } = require('node:crypto');
const keys = new Map();
/** Takes the next check from the front of a chunk; -1 when every check is taken (by this worker or the calling thread). */
function claimFront(claim, n) {
  for (;;) {
    const word = Atomics.load(claim, 0);
    const front = word & 0xffff;
    if (front + (word >>> 16) >= n) return -1;
    if (Atomics.compareExchange(claim, 0, word, word + 1) === word) return front;
  }
}
parentPort.on('message', (m) => {
  const n = m.ends.length / 2;
  let done = 0;
  let target;
  for (let i = claimFront(m.claim, n); i >= 0; i = claimFront(m.claim, n)) {
    if (target === undefined) {
      let key = keys.get(m.jwk);
      if (key === undefined) {
        try { key = createPublicKey({ key: JSON.parse(m.jwk), format: 'jwk' }); } catch { key = null; }
        if (keys.size >= 16) keys.delete(keys.keys().next().value);
        keys.set(m.jwk, key);
      }
      // PS256: PSS padding with the salt length required exactly (a prototype-free options object).
      target = key !== null && m.pss !== null ? Object.assign(Object.create(null), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: m.pss }) : key;
    }
    const data = m.bytes.subarray(i === 0 ? 0 : m.ends[2 * i - 1], m.ends[2 * i]);
    const signature = m.bytes.subarray(m.ends[2 * i], m.ends[2 * i + 1]);
    let ok = false;
    try { ok = target !== null && verify(m.digest, data, target, signature); } catch {}
    // Each answer is published as it is known (1 good, 2 bad): the calling thread reads them between its own checks.
    Atomics.store(m.claim, 1 + i, ok ? 1 : 2);
    done = i + 1;
  }
  // The first \`done\` checks are this worker's (it takes them in order); the calling thread took the rest.
  parentPort.postMessage({ id: m.id, done });
});
`;

interface Link {
  readonly worker: Worker;
  online: boolean;
  dead: boolean;
  /** Chunks sent and not answered, oldest first. */
  readonly chunks: Map<number, Chunk>;
}

/**
 * A chunk sent to a worker. `claim[0]` is the claim word (see {@link BACK}); `claim[1 + i]` is the worker's answer to
 * check `i` once it has one (1 good, 2 bad, 0 not yet), so the calling thread can take the worker's answers as they
 * come (see {@link harvest}), without waiting for the chunk's message. The first `harvested` checks are answered.
 */
interface Chunk {
  readonly jobs: Job[];
  readonly claim: Int32Array;
  harvested: number;
}

const queue: Job[] = [];
const links: Link[] = [];
let workersUnavailable = false;
let pumpScheduled = false;
let nextChunkId = 0;
let idleTimer: ReturnType<typeof setTimeout> | undefined;
/** Counters for tests and benchmarks (see {@link parallelPoolStats}). */
const stats = { inWorkers: 0, here: 0, idleExits: 0 };
const jwkText = new WeakMap<PublicKey, string>();

function jwkOf(key: PublicKey): string {
  let text = jwkText.get(key);
  if (text === undefined) {
    text = JSON.stringify(key.jwk);
    jwkText.set(key, text);
  }
  return text;
}

function busy(link: Link): boolean {
  return link.chunks.size > 0;
}

function idle(): boolean {
  return queue.length === 0 && !links.some(busy);
}

function cancelIdle(): void {
  if (idleTimer === undefined) return;
  clearTimeout(idleTimer);
  idleTimer = undefined;
}

/** Arms the idle deadline when there is no work at all (called by `pump` when it finds nothing to do). */
function settleIdle(): void {
  cancelIdle();
  if (!idle()) return;
  idleTimer = setTimeout(idleDeadline, idleMs);
  idleTimer.unref();
}

/**
 * The idle deadline passed: end the workers, unless there is work after all
 * (new work cancels the deadline, so this is a second line of defence). The
 * pump arms the deadline again once the work is answered.
 */
function idleDeadline(): void {
  cancelIdle();
  if (!idle()) return;
  for (const link of [...links]) {
    retire(link, 'idle');
    stats.idleExits++;
  }
}

/**
 * Takes a worker out of the pool, for any reason: its idle deadline passed
 * (`'idle'`), or it failed, crashed or exited by itself (`'failed'`). Whatever
 * it had not answered (a chunk it claimed but never answered included) goes
 * back to the front of the queue, in order, and is verified here or by
 * another worker; so marking the link dead can never drop a job. Idempotent:
 * the `error` and `exit` events of a worker already retired do nothing.
 */
function retire(link: Link, why: 'idle' | 'failed'): void {
  if (link.dead) return;
  link.dead = true;
  const index = links.indexOf(link);
  if (index >= 0) links.splice(index, 1);
  // A worker that failed once is not retried: everything runs here from now on. An idle exit is planned: the next batch starts workers again.
  if (why === 'failed') workersUnavailable = true;
  const unanswered = [...link.chunks.values()];
  link.chunks.clear();
  // The checks the calling thread took from a chunk's back, and the worker's answers already taken, are answered; everything else goes back.
  for (const chunk of unanswered.reverse()) queue.unshift(...chunk.jobs.slice(chunk.harvested, chunk.jobs.length - (Atomics.load(chunk.claim, 0) >>> 16)));
  link.worker.unref();
  void link.worker.terminate();
  if (queue.length > 0) schedulePump();
}

function startWorkers(): void {
  const count = Math.max(1, Math.min(4, availableParallelism() - 1));
  try {
    for (let i = links.length; i < count; i++) {
      const worker = new Worker(WORKER_SOURCE, { eval: true });
      const link: Link = { worker, online: false, dead: false, chunks: new Map() };
      worker.unref();
      worker.on('online', () => {
        link.online = true;
        schedulePump();
      });
      worker.on('message', (message: { id: number; done: number }) => {
        const chunk = link.chunks.get(message.id);
        if (!chunk) return;
        link.chunks.delete(message.id);
        if (!busy(link)) worker.unref();
        // The worker answers the checks it took, the first `done`; the calling thread answered the others when it took them.
        harvestChunk(chunk, message.done, true);
        schedulePump();
      });
      worker.on('error', () => retire(link, 'failed'));
      worker.on('exit', () => retire(link, 'failed')); // after `retire(link, 'idle')`, a no-op
      links.push(link);
    }
  } catch {
    workersUnavailable = true;
  }
}

/** Sends a chunk as one transferred buffer (cloning many small typed arrays costs more than the verifications). */
function send(link: Link, jobs: Job[]): void {
  cancelIdle();
  const id = nextChunkId++;
  let size = 0;
  for (const job of jobs) size += job.data.length + job.signature.length;
  const bytes = new Uint8Array(size);
  const ends = new Uint32Array(jobs.length * 2);
  let at = 0;
  jobs.forEach((job, i) => {
    bytes.set(job.data, at);
    ends[2 * i] = at += job.data.length;
    bytes.set(job.signature, at);
    ends[2 * i + 1] = at += job.signature.length;
  });
  const claim = new Int32Array(new SharedArrayBuffer(4 * (1 + jobs.length)));
  const chunk: Chunk = { jobs, claim, harvested: 0 };
  link.chunks.set(id, chunk);
  link.worker.ref(); // a pending answer keeps the process alive
  try {
    // Every job in a chunk shares one key and scheme (see `takeChunk`).
    const { scheme, key } = jobs[0]!;
    link.worker.postMessage({ id, claim, jwk: jwkOf(key), digest: scheme.digest, pss: scheme.pssSaltLength, bytes, ends }, [bytes.buffer, ends.buffer]);
  } catch {
    retire(link, 'failed'); // the chunk is already on the link: it goes back to the queue
  }
}

/**
 * Answers the worker's checks of `chunk` it has published, in order, up to `upTo` (at most: the chunk's message says
 * how many it did; between messages, `jobs.length`, the first check with no answer yet stopping it). Each job is
 * answered once: `harvested` only grows, and `retire` gives back only the checks after it.
 */
function harvestChunk(chunk: Chunk, upTo: number, final: boolean): void {
  const { jobs, claim } = chunk;
  for (let i = chunk.harvested; i < upTo; i++) {
    const answer = Atomics.load(claim, 1 + i);
    if (answer === 0) {
      if (!final) return;
      // The chunk's message came (the worker publishes each answer before it): cannot happen, but the job is answered here rather than lost.
      chunk.harvested = i + 1;
      verifyHere([jobs[i]!]);
      continue;
    }
    chunk.harvested = i + 1;
    stats.inWorkers++;
    jobs[i]!.resolve(answer === 1);
  }
}

/** Takes every answer the workers have published so far (see {@link Chunk}). */
function harvest(): void {
  for (const link of links) for (const chunk of link.chunks.values()) harvestChunk(chunk, chunk.jobs.length, false);
}

function sameScheme(a: Scheme, b: Scheme): boolean {
  return a.digest === b.digest && a.pssSaltLength === b.pssSaltLength;
}

/** Takes up to `CHUNK` jobs from the front of the queue that share the first job's key and scheme. */
function takeChunk(): Job[] {
  const first = queue[0]!;
  let n = 1;
  while (n < CHUNK && n < queue.length && queue[n]!.key === first.key && sameScheme(queue[n]!.scheme, first.scheme)) n++;
  return queue.splice(0, n);
}

function verifyHere(jobs: readonly Job[]): void {
  stats.here += jobs.length;
  for (const job of jobs) {
    let ok = false;
    try {
      ok = job.here();
    } catch {
      // `here` does not throw (a failed check is `false`); if it ever did, the job is still answered.
    }
    job.resolve(ok);
  }
}

/**
 * A slice of checks no worker has taken (see {@link sliceFor}), claimed for this thread from the back of the newest
 * chunks (the workers take from the front of the oldest); `undefined` when every check sent is taken. A chunk stays
 * with its worker, which answers the checks it took.
 */
function stealFromWorkers(): Job[] | undefined {
  let mine: Job[] | undefined;
  let max = 0;
  for (const link of links) {
    for (const chunk of [...link.chunks.values()].reverse()) {
      const n = chunk.jobs.length;
      if (max === 0) max = sliceFor(chunk.jobs[0]!.scheme);
      while ((mine?.length ?? 0) < max) {
        const word = Atomics.load(chunk.claim, 0);
        const back = word >>> 16;
        if ((word & 0xffff) + back >= n) break; // every check of this chunk is taken: try an older one
        if (Atomics.compareExchange(chunk.claim, 0, word, word + BACK) !== word) continue;
        (mine ??= []).push(chunk.jobs[n - 1 - back]!);
      }
      if ((mine?.length ?? 0) >= max) return mine;
    }
  }
  return mine;
}

function leastBusy(): Link | undefined {
  let best: Link | undefined;
  for (const link of links) if (link.online && !link.dead && (!best || link.chunks.size < best.chunks.size)) best = link;
  return best;
}

/**
 * Runs when the calling thread has nothing else to do (every batch lane waits
 * for a signature): hand the queue to the workers, then verify one chunk here
 * (from the queue, or stolen back from a worker) and let answers in.
 */
function pump(): void {
  pumpScheduled = false;
  if (queue.length >= CHUNK && links.length === 0 && !workersUnavailable) startWorkers();
  // Everything queued goes to the workers (a partial chunk too): this thread takes its share back one slice at a time.
  for (let link = leastBusy(); link && queue.length > 0; link = leastBusy()) send(link, takeChunk());
  // No worker online (starting, or none can run): a slice from the queue's front here; else a slice stolen back.
  const mine = queue.length > 0 ? takeSlice(sliceFor(queue[0]!.scheme)) : stealFromWorkers();
  if (mine) verifyHere(mine);
  // The workers' answers so far: their licenses are finished (promise reactions) as soon as this returns, while the workers go on.
  harvest();
  if (queue.length > 0 || mine) schedulePump();
  else settleIdle();
}

/** Up to `max` checks from the front of the queue that share the first one's key and scheme. */
function takeSlice(max: number): Job[] {
  const first = queue[0]!;
  let n = 1;
  while (n < max && n < queue.length && queue[n]!.key === first.key && sameScheme(queue[n]!.scheme, first.scheme)) n++;
  return queue.splice(0, n);
}

function schedulePump(): void {
  if (pumpScheduled) return;
  pumpScheduled = true;
  setImmediate(pump);
}

/**
 * Queues one signature check (`crypto.verify(digest, data, key, signature)`,
 * with PSS padding and the exact salt length when `scheme.pssSaltLength` is
 * set) for the pool; resolves `false` for a bad signature. `here` is the same check
 * on the calling thread, for when no worker can take it. `data` and
 * `signature` must not be changed by the caller afterwards (the node backend
 * passes copies).
 */
export function verifyInPool(scheme: Scheme, key: PublicKey, data: Uint8Array, signature: Uint8Array, here: () => boolean): Promise<boolean> {
  return new Promise((resolve) => {
    cancelIdle(); // new work: the pool is not idle
    queue.push({ scheme, key, data, signature, here, resolve });
    // A full chunk goes out at once, so a worker verifies while this thread parses the next licenses.
    if (queue.length >= CHUNK) {
      const link = leastBusy();
      if (link) send(link, takeChunk());
    }
    schedulePump();
  });
}

/** How many checks the workers and the calling thread have done, how many workers exited for being idle, and how many are online (internal: tests, benchmarks). */
export function parallelPoolStats(): { readonly inWorkers: number; readonly here: number; readonly idleExits: number; readonly workersOnline: number } {
  return { ...stats, workersOnline: links.filter((l) => l.online && !l.dead).length };
}

/**
 * Internal, for tests: how long a worker may stay idle before it exits
 * (default 5 s); returns the previous value. A deadline already armed is armed
 * again with the new delay.
 */
export function setParallelIdleMs(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError('idle delay must be a finite number of milliseconds >= 0');
  const previous = idleMs;
  idleMs = ms;
  if (idleTimer !== undefined) settleIdle();
  return previous;
}

/** Internal, for tests: acts as if the idle deadline passed now (whatever is running). */
export function expireParallelIdleDeadline(): void {
  idleDeadline();
}

/** Internal, for tests: ends every worker abruptly, as a crash would (their unanswered chunks must still be answered). */
export function crashParallelWorkers(): void {
  for (const link of [...links]) void link.worker.terminate();
}
