import type { Scalar } from '../types';
import type { SignalRollup } from './types';

/** Timestamps kept per rollup (the most recent). */
export const MAX_TIMES = 64;
const DAY_MS = 86400000;

/** Days since 1970-01-01 UTC. */
export const dayOf = (ms: number): number => Math.floor(ms / DAY_MS);

/**
 * Adds one occurrence at `at` to a rollup (a new one when `existing` is undefined); never mutates.
 * `times` stays ascending and holds the {@link MAX_TIMES} most recent timestamps.
 */
export function addToRollup(existing: SignalRollup | undefined, event: string, props: Record<string, Scalar>, at: number): SignalRollup {
  if (!existing) return { event, props, day: dayOf(at), count: 1, first: at, last: at, times: [at] };
  const times = existing.times.slice();
  let i = times.length;
  while (i > 0 && times[i - 1] > at) i--;
  times.splice(i, 0, at);
  return {
    ...existing,
    count: existing.count + 1,
    first: Math.min(existing.first, at),
    last: Math.max(existing.last, at),
    times: times.length > MAX_TIMES ? times.slice(times.length - MAX_TIMES) : times,
  };
}

/**
 * Retention: drops rollups whose `last` is before `now - retentionMs`, and trims older timestamps
 * from the others. A trimmed rollup's `count` and `first` then describe the remaining times exactly
 * (everything older than a trimmed time is older still). Unchanged rollups are returned as is
 * (same object), so callers can persist only what changed.
 */
export function expireRollups(rollups: SignalRollup[], now: number, retentionMs: number): SignalRollup[] {
  const cutoff = now - retentionMs;
  const out: SignalRollup[] = [];
  for (const r of rollups) {
    if (r.last < cutoff) continue;
    if (r.first >= cutoff) {
      out.push(r);
      continue;
    }
    const times = r.times.filter((t) => t >= cutoff);
    out.push(times.length === r.times.length ? r : { ...r, times, count: times.length, first: times[0] });
  }
  return out;
}

/**
 * Stored events named `event` at or after `since` (exact while a rollup holds ≤ 64 events;
 * a lower bound beyond, which is ample for rate limiting at 60 per minute).
 */
export function countSince(rollups: SignalRollup[], event: string, since: number): number {
  let n = 0;
  for (const r of rollups) {
    if (r.event !== event || r.last < since) continue;
    n += r.first >= since ? r.count : r.times.filter((t) => t >= since).length;
  }
  return n;
}
