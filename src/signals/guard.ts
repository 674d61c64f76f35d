/** Same event + same props within this many ms (inclusive) of the last stored one: `duplicate`. */
export const DUPLICATE_WINDOW_MS = 1000;
/** At most this many stored events of one name per {@link RATE_WINDOW_MS}. */
export const RATE_LIMIT = 60;
/** The sliding window: events at `t` with `at - t < 60 000` count. */
export const RATE_WINDOW_MS = 60000;
/** Event names remembered (least recently stored evicted first). */
export const GUARD_MAX_EVENTS = 256;

/** Start (inclusive) of the rate window ending at `at`, e.g. for `countSince(rollups, event, rateWindowStart(at))`. */
export const rateWindowStart = (at: number): number => at - RATE_WINDOW_MS + 1;

/** In-memory ingest guard: duplicates and per-event rate limits. */
export interface IngestGuard {
  /**
   * @param rawPropsKey `propsKey` of the props as passed to track (before minimization).
   * @param storedInLastMinute stored events of this name in the window, from persistent storage
   *   (covers events stored before this page loaded); the larger of it and the guard's own count is used.
   */
  check(event: string, rawPropsKey: string, at: number, storedInLastMinute: number): 'ok' | 'duplicate' | 'rate-limited';
  /** Call after an event was stored. */
  record(event: string, rawPropsKey: string, at: number): void;
  /** An independent copy (records made on it do not touch this one): a batch's tentative state. */
  fork(): IngestGuard;
}

/** Creates an ingest guard; its memory is bounded ({@link GUARD_MAX_EVENTS} names × {@link RATE_LIMIT} times). */
export function createIngestGuard(from?: Map<string, { key: string; at: number; times: number[] }>): IngestGuard {
  // Entries are replaced, never mutated, so a fork may share them.
  const seen = new Map(from);
  const recent = (times: number[], at: number) => times.filter((t) => at - t < RATE_WINDOW_MS);
  return {
    check(event, rawPropsKey, at, storedInLastMinute) {
      const s = seen.get(event);
      if (s && s.key === rawPropsKey && Math.abs(at - s.at) <= DUPLICATE_WINDOW_MS) return 'duplicate';
      const mine = s ? recent(s.times, at).length : 0;
      return Math.max(mine, storedInLastMinute) >= RATE_LIMIT ? 'rate-limited' : 'ok';
    },
    record(event, rawPropsKey, at) {
      const times = recent(seen.get(event)?.times ?? [], at);
      times.push(at);
      seen.delete(event);
      seen.set(event, { key: rawPropsKey, at, times: times.slice(-RATE_LIMIT) });
      if (seen.size > GUARD_MAX_EVENTS) seen.delete(seen.keys().next().value as string);
    },
    fork: () => createIngestGuard(seen),
  };
}
