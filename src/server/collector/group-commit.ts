import type { LDPReport } from '../../types';
import type { BatchResult, CollectorStore } from './store';

/** Shares store transactions between concurrent requests (group commit). */
export interface GroupCommit {
  /**
   * Queues one request's reports (distinct ids) for the next transaction and resolves with that
   * request's share of the result once the transaction committed; rejects if it failed.
   */
  add(reports: LDPReport[], today: number): Promise<BatchResult>;
}

export interface GroupCommitOptions {
  /** A group holds at most this many reports (a larger request still gets a transaction of its own). Default 2,000. */
  maxReports?: number;
  /**
   * After a transaction, wait up to this long until the requests it answered (the clients usually
   * send again within a moment) are queued again alongside those already waiting, so the next
   * transaction holds both. Never delays a request arriving at an idle collector. Default 2 ms; 0 disables.
   */
  windowMs?: number;
  /** Called before each transaction with its request and report counts (tests, logs). */
  onGroup?: (requests: number, reports: number) => void;
  /**
   * A transaction (not the opening of the store) that has not settled after this long rejects its
   * requests with a {@link StoreTimeoutError} and the next group starts; 0 (the default): no
   * bound. Its requests were not answered 202, so they retry; should the stuck transaction commit
   * after all, the retries are `duplicate` (counted once).
   */
  timeoutMs?: number;
}

/** The store did not answer within the bound; the message names no store detail. */
export class StoreTimeoutError extends Error {
  constructor(ms: number) {
    super(`no answer from the store within ${ms} ms`);
    this.name = 'StoreTimeoutError';
  }
}

/** `p`, or a {@link StoreTimeoutError} after `ms` (0: unbounded); `p` keeps running either way. */
export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  if (!(ms > 0)) return p;
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new StoreTimeoutError(ms)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    );
  });
}

interface Pending {
  reports: LDPReport[];
  today: number;
  resolve(r: BatchResult): void;
  reject(e: unknown): void;
}

/**
 * Group commit over a {@link CollectorStore}: requests that arrive while a transaction runs (or in
 * the same event-loop turn) are committed together in the next one, so a store doing one
 * transaction at a time serves many requests with it. Exactly as if the requests had been added
 * one after another in arrival order: a request sharing an id with one already in the forming
 * group, or dated on another day, starts the next group instead (so the store sees distinct ids
 * and the later request gets `duplicate` from the store, exactly as sequentially). A failed
 * transaction rejects every request in it and persists nothing; the others are unaffected. One
 * that does not settle within `timeoutMs` rejects its requests too, and the queue moves on.
 */
export function createGroupCommit(store: () => Promise<CollectorStore>, opts: GroupCommitOptions = {}): GroupCommit {
  const maxReports = opts.maxReports ?? 2000;
  const windowMs = opts.windowMs ?? 2;
  const timeoutMs = opts.timeoutMs ?? 0;
  const queue: Pending[] = [];
  let running = false;
  /** While waiting for the next group: ends the wait (when `want` requests are queued). */
  let wake: (() => void) | undefined;
  let want = 0;

  /** Takes the longest prefix of the queue that fits one transaction (at least one request). */
  const take = (): Pending[] => {
    const group: Pending[] = [];
    const ids = new Set<string>();
    let size = 0;
    while (queue.length) {
      const p = queue[0];
      if (group.length && (p.today !== group[0].today || size + p.reports.length > maxReports || p.reports.some((r) => ids.has(r.id)))) break;
      queue.shift();
      group.push(p);
      size += p.reports.length;
      for (const r of p.reports) ids.add(r.id);
    }
    return group;
  };

  const commit = async (group: Pending[]): Promise<void> => {
    const all = group.flatMap((p) => p.reports);
    opts.onGroup?.(group.length, all.length);
    let out: BatchResult;
    try {
      const s = await store();
      out = await withTimeout(s.addBatch(all, group[0].today), timeoutMs);
    } catch (e) {
      for (const p of group) p.reject(e);
      return;
    }
    if (group.length === 1) return group[0].resolve(out);
    // Each request gets the outcome of its own reports (ids are distinct across the group).
    const owner = new Map<string, number>();
    group.forEach((p, i) => p.reports.forEach((r) => owner.set(r.id, i)));
    const parts = group.map((): BatchResult => ({ duplicateIds: [], staleIds: [], futureIds: [], groupLimitIds: [] }));
    for (const key of ['duplicateIds', 'staleIds', 'futureIds', 'groupLimitIds'] as const) {
      for (const id of out[key] ?? []) {
        const i = owner.get(id);
        if (i !== undefined) parts[i][key].push(id);
      }
    }
    group.forEach((p, i) => p.resolve(parts[i]));
  };

  const drain = async (): Promise<void> => {
    try {
      while (queue.length) {
        const group = take();
        await commit(group);
        // The requests just answered usually come back within moments: wait (up to windowMs) until
        // they and the ones already queued can share the next transaction, so groups do not settle
        // into halves that alternate (each paying a commit).
        // (No wait when the queue alone already fills a transaction.)
        if (windowMs > 0 && queue.reduce((n, p) => n + p.reports.length, 0) < maxReports) {
          want = queue.length + group.length;
          await new Promise<void>((resolve) => {
            // Woken: still let the requests parsed in this event-loop turn join.
            const t = setTimeout((wake = () => (clearTimeout(t), (wake = undefined), setImmediate(resolve))), windowMs);
          });
        }
      }
    } finally {
      running = false;
    }
  };

  return {
    add(reports, today) {
      return new Promise<BatchResult>((resolve, reject) => {
        queue.push({ reports, today, resolve, reject });
        if (wake && queue.length >= want) wake();
        if (running) return;
        running = true;
        // Requests parsed in the same event-loop turn join the first transaction too.
        setImmediate(() => void drain());
      });
    },
  };
}
