// Pure outbox scheduling: retry backoff, a bounded queue, what is due, what can go.
import { uniform53 } from '../privacy';
import type { OutboxEntry } from '../storage/schema';
import { epochEnd, type EpochKind } from './epoch';
import type { SendResult } from './transport';

/** At most this many entries (queued and sent) are kept. */
export const MAX_OUTBOX = 100;
const BASE_MS = 2000;
const CAP_MS = 3_600_000;

/** A uniform number in [0, 1) from crypto.getRandomValues (for jitter, like all randomness in src). */
export function secureUniform(): number {
  const b = new Uint8Array(8);
  globalThis.crypto.getRandomValues(b);
  return uniform53(b, 0);
}

/**
 * When to retry after `attempts` failed attempts: exponential backoff with full jitter,
 * `now + random() × min(1 h, 2 s × 2^(attempts − 1))`.
 * @param random a uniform number in [0, 1); default {@link secureUniform}
 */
export function nextAttempt(attempts: number, now: number, random: () => number = secureUniform): number {
  return now + Math.floor(random() * Math.min(CAP_MS, BASE_MS * 2 ** Math.max(0, attempts - 1)));
}

/**
 * Adds `entry` to a queue bounded by {@link MAX_OUTBOX} (an entry with the same id is replaced).
 * When over the bound it drops, first, already-sent entries (kept only for exportData), oldest
 * epoch first; then unsent entries of the oldest epoch (oldest first within an epoch: the stalest
 * data matters least and old epochs are usually already estimated). The new entry itself may be
 * dropped if it is the oldest. Returns the kept entries (queue order) and the dropped ones.
 */
export function admit(queue: OutboxEntry[], entry: OutboxEntry): { keep: OutboxEntry[]; dropped: OutboxEntry[] } {
  const all = queue.filter((e) => e.id !== entry.id).concat(entry);
  const order = all
    .map((e, i) => ({ e, i }))
    .sort((a, b) => +!a.e.sentAt - +!b.e.sentAt || a.e.report.epoch - b.e.report.epoch || a.i - b.i);
  const drop = new Set(order.slice(0, Math.max(0, all.length - MAX_OUTBOX)).map((x) => x.e));
  return { keep: all.filter((e) => !drop.has(e)), dropped: all.filter((e) => drop.has(e)) };
}

/** Unsent entries to attempt now: those whose `nextAt` has come, or every unsent one when `force` (flush). */
export function due(queue: OutboxEntry[], now: number, force: boolean): OutboxEntry[] {
  return queue.filter((e) => !e.sentAt && (force || e.nextAt <= now));
}

/**
 * The entry after a send attempt: `sentAt` set on success; `undefined` (drop it) on a permanent
 * failure (a 4xx other than 408/429: retrying would fail forever); otherwise one more attempt
 * and the next retry time.
 */
export function settle(entry: OutboxEntry, result: Pick<SendResult, 'ok' | 'permanent'>, now: number, random?: () => number): OutboxEntry | undefined {
  if (result.ok) return { ...entry, sentAt: now };
  if (result.permanent) return undefined;
  const attempts = entry.attempts + 1;
  return { ...entry, attempts, nextAt: nextAttempt(attempts, now, random) };
}

/** Drops sent entries whose epoch has ended (they were kept only so exportData can show them). */
export function pruneSent(queue: OutboxEntry[], now: number, kind: EpochKind): OutboxEntry[] {
  return queue.filter((e) => !e.sentAt || epochEnd(e.report.epoch, kind) > now);
}
