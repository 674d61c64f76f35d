import type { LDPReport } from '../../types';
import { addToRows, mergeRow, type StatsRow } from '../estimator/stats';
import { checkDays, checkMaxGroups, dayOf, groupOf, splitByWindow, type CollectorStore, type DedupeOptions } from './store';

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
  const maxGroups = checkMaxGroups(opts.maxGroups);
  const { now = Date.now, reservedGroup = () => false } = opts;
  const maxIds = opts.maxIds ?? 1_000_000;
  const rows = new Map<string, StatsRow>();
  /** `space|version|epoch` → its groups (`mechanism|k|ε|g`). */
  const groups = new Map<string, Set<string>>();
  const ids = new Map<string, number>();
  let prunedFor: number | undefined;
  const copy = (r: StatsRow): StatsRow => ({ ...r, support: r.support.slice() });
  return {
    kind: 'memory',
    async init() {},
    async addBatch(reports: LDPReport[], today = dayOf(now())) {
      const w = splitByWindow(reports, today, days);
      if (prunedFor !== today) {
        prunedFor = today;
        for (const [id, e] of ids) if (e < w.horizon || e > today + 1) ids.delete(id);
        for (const at of groups.keys()) if (Number(at.split('|')[2]) < w.horizon) groups.delete(at);
      }
      const duplicateIds: string[] = [];
      const groupLimitIds: string[] = [];
      const delta = new Map<string, StatsRow>();
      for (const r of w.fresh) {
        const at = `${r.space}|${r.spaceVersion}|${r.epoch}`;
        const set = groups.get(at) ?? new Set<string>();
        const g = groupOf(r as never);
        if (!set.has(g) && set.size >= maxGroups && !reservedGroup(r)) groupLimitIds.push(r.id);
        else if (ids.has(r.id)) duplicateIds.push(r.id);
        else {
          set.add(g);
          groups.set(at, set);
          ids.set(r.id, r.epoch);
          if (ids.size > maxIds) ids.delete(ids.keys().next().value as string);
          addToRows(delta, r);
        }
      }
      for (const r of delta.values()) mergeRow(rows, r);
      return { duplicateIds, staleIds: w.stale, futureIds: w.future, groupLimitIds };
    },
    async rows(space, epoch) {
      return [...rows.values()].filter((r) => r.space === space && (epoch === undefined || r.epoch === epoch)).map(copy);
    },
    async epochs(space, version) {
      const mine = [...rows.values()].filter((r) => r.space === space && (version === undefined || r.spaceVersion === version));
      return [...new Set(mine.map((r) => r.epoch))].sort((a, b) => a - b);
    },
    async close() {},
  };
}
