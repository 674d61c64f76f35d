import { CohortkitError } from '../../errors';
import type { LDPReport } from '../../types';
import type { StatsRow } from '../estimator/stats';

/** What one {@link CollectorStore.addBatch} did with the reports it was given. */
export interface BatchResult {
  /** Ids already stored (by this or another collector): nothing was counted for them. */
  duplicateIds: string[];
  /** Ids of reports whose epoch is older than the dedupe window: refused, not counted. */
  staleIds: string[];
  /** Ids of reports dated after tomorrow (by the store's clock): refused, not counted. */
  futureIds: string[];
  /** Ids of reports that would open a group past `maxGroups` for their (space, version, epoch). */
  groupLimitIds: string[];
}

/**
 * Where a collector keeps sufficient statistics (never raw reports) and the report ids it
 * dedupes with. Implementations: memory, PGlite, PostgreSQL.
 */
export interface CollectorStore {
  readonly kind: string;
  /** Opens the store and applies migrations. Idempotent. */
  init(): Promise<void>;
  /**
   * Adds validated reports with distinct ids, in ONE transaction: the ids are inserted (those
   * already present are duplicates), then the rows of the new reports are summed in. A failure
   * persists nothing. `today` (UTC day number; default: the store's clock) places the epoch
   * window: reports outside `[today − dedupeDays, today + 1]` are refused, and ids older than
   * that are forgotten. No report moves the window.
   */
  addBatch(reports: LDPReport[], today?: number): Promise<BatchResult>;
  /** Rows of a space (one epoch, or all). */
  rows(space: string, epoch?: number): Promise<StatsRow[]>;
  /** Epochs with rows for a space (one version, or all), ascending. */
  epochs(space: string, version?: number): Promise<number[]>;
  close(): Promise<void>;
}

/** Window and group options shared by every store. */
export interface DedupeOptions {
  /**
   * Ids are remembered while their epoch is at most this many days before today (by the
   * clock, never by the reports); reports older than that are refused as stale. Default 8.
   */
  dedupeDays?: number;
  /** Distinct (mechanism, k, ε, g) groups per (space, version, epoch); default 8. */
  maxGroups?: number;
  /**
   * Reports whose group is always admitted, beyond `maxGroups` (the collector passes the groups
   * its `epsilons` make honest clients use), so no flood of other groups can crowd them out.
   */
  reservedGroup?: (report: LDPReport) => boolean;
  /** The clock (ms) when `addBatch` is not given `today`; default Date.now. */
  now?: () => number;
}

/**
 * Which store a collector opens: PGlite under `dataDir` (in a worker thread where the machine has
 * more than one CPU; `thread` overrides), or PostgreSQL at `databaseUrl`.
 */
export type StoreOption =
  | ({ dataDir: string; thread?: boolean } & DedupeOptions)
  | ({ databaseUrl: string; schema?: string; max?: number } & DedupeOptions)
  | CollectorStore;

export const DAY_MS = 86_400_000;
/** The UTC day number of a time in ms. */
export const dayOf = (ms: number): number => Math.floor(ms / DAY_MS);

/** The epochs accepted on `today`: `[today − days, today + 1]`. */
export const windowOf = (today: number, days: number): { from: number; to: number } => ({ from: today - days, to: today + 1 });

/**
 * Splits a batch by the window of `today` (the clock's day, never a report's): `fresh` inside
 * `[today − days, today + 1]`, `stale` before it, `future` after it.
 */
export function splitByWindow(
  reports: LDPReport[],
  today: number,
  days: number,
): { fresh: LDPReport[]; stale: string[]; future: string[]; horizon: number } {
  const { from, to } = windowOf(today, days);
  const fresh: LDPReport[] = [];
  const stale: string[] = [];
  const future: string[] = [];
  for (const r of reports) {
    if (r.epoch < from) stale.push(r.id);
    else if (r.epoch > to) future.push(r.id);
    else fresh.push(r);
  }
  return { fresh, stale, future, horizon: from };
}

/** The group of a report within its (space, version, epoch): `mechanism|k|ε|g`. */
export const groupOf = (r: { mechanism: string; k: number; epsilon: number; g?: number }): string =>
  `${r.mechanism}|${r.k}|${r.epsilon}|${r.mechanism === 'olh' ? r.g : 0}`;

/** Checks a `maxGroups` value (default 8). */
export function checkMaxGroups(m: unknown = 8, path = 'store.maxGroups'): number {
  if (!Number.isSafeInteger(m) || (m as number) < 1 || (m as number) > 1_000_000) throw new CohortkitError('invalid-options', `${path}: expected an integer in [1, 1000000]`);
  return m as number;
}

/** Checks a `dedupeDays` value (default 8). */
export function checkDays(d: unknown = 8, path = 'store.dedupeDays'): number {
  if (!Number.isSafeInteger(d) || (d as number) < 0 || (d as number) > 3660) throw new CohortkitError('invalid-options', `${path}: expected an integer in [0, 3660]`);
  return d as number;
}

/** `store.thread` (PGlite's worker thread): undefined (the machine decides) or a boolean. */
export function checkThread(t: unknown): boolean | undefined {
  if (t !== undefined && typeof t !== 'boolean') throw new CohortkitError('invalid-options', 'store.thread: expected true or false');
  return t;
}

/**
 * Opens the store named by `opt` (PGlite and pg are imported only when used). Returns a custom
 * {@link CollectorStore} as is.
 */
export async function openStore(opt: StoreOption): Promise<CollectorStore> {
  if ('addBatch' in opt) return opt;
  if ('dataDir' in opt) {
    await needDriver('store.dataDir', '@electric-sql/pglite', () => import('@electric-sql/pglite'));
    return (await import('./store-pglite')).createPGliteStore(opt);
  }
  await needDriver('store.databaseUrl', 'pg', () => import('pg'));
  return (await import('./store-postgres')).createPostgresStore(opt);
}

/**
 * Loads a store's driver. The drivers are optional peer dependencies: a missing one fails with
 * `invalid-options` naming the package and the install command; other failures pass unchanged.
 */
export async function needDriver(path: string, pkg: string, load: () => Promise<unknown>): Promise<void> {
  try {
    await load();
  } catch (e) {
    const code = (e as { code?: unknown } | null)?.code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw e;
    throw new CohortkitError('invalid-options', `${path}: this store needs ${pkg}, which is not installed; run: npm install ${pkg}`, e);
  }
}
