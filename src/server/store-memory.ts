import type { LDPReport } from '../types';
import { addToRows, mergeRow, type StatsRow } from './stats';
import { checkDays, splitByWindow, type CollectorStore, type DedupeOptions } from './store';

export interface MemoryStoreOptions extends DedupeOptions {
  /** At most this many ids are remembered (default 1,000,000); past it the oldest is forgotten. */
  maxIds?: number;
}

/**
 * An in-memory {@link CollectorStore}: lost on exit. Ids are remembered within the epoch window
 * and up to `maxIds` (oldest forgotten first, so a replay older than that counts again).
 */
export function createMemoryStore(opts: MemoryStoreOptions = {}): CollectorStore {
  const days = checkDays(opts.dedupeDays);
  const maxIds = opts.maxIds ?? 1_000_000;
  const rows = new Map<string, StatsRow>();
  const ids = new Map<string, number>();
  let latest: number | undefined;
  const copy = (r: StatsRow): StatsRow => ({ ...r, support: r.support.slice() });
  return {
    kind: 'memory',
    async init() {},
    async addBatch(reports: LDPReport[]) {
      const w = splitByWindow(reports, latest, days);
      if (w.latest !== latest) {
        latest = w.latest;
        for (const [id, e] of ids) if (e < w.horizon) ids.delete(id);
      }
      const duplicateIds: string[] = [];
      const delta = new Map<string, StatsRow>();
      for (const r of w.fresh) {
        if (ids.has(r.id)) duplicateIds.push(r.id);
        else {
          ids.set(r.id, r.epoch);
          if (ids.size > maxIds) ids.delete(ids.keys().next().value as string);
          addToRows(delta, r);
        }
      }
      for (const r of delta.values()) mergeRow(rows, r);
      return { duplicateIds, staleIds: w.stale };
    },
    async rows(space, epoch) {
      return [...rows.values()].filter((r) => r.space === space && (epoch === undefined || r.epoch === epoch)).map(copy);
    },
    async epochs(space) {
      return [...new Set([...rows.values()].filter((r) => r.space === space).map((r) => r.epoch))].sort((a, b) => a - b);
    },
    async close() {},
  };
}
