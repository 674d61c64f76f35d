import { CohortkitError } from '../errors';
import type { LDPReport } from '../types';
import type { StatsRow } from './stats';

/** What one {@link CollectorStore.addBatch} did with the reports it was given. */
export interface BatchResult {
  /** Ids already stored (by this or another collector): nothing was counted for them. */
  duplicateIds: string[];
  /** Ids of reports whose epoch is older than the dedupe window: refused, not counted. */
  staleIds: string[];
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
   * persists nothing.
   */
  addBatch(reports: LDPReport[]): Promise<BatchResult>;
  /** Rows of a space (one epoch, or all). */
  rows(space: string, epoch?: number): Promise<StatsRow[]>;
  /** Epochs with rows for a space, ascending. */
  epochs(space: string): Promise<number[]>;
  close(): Promise<void>;
}

/** Dedupe window options shared by every store. */
export interface DedupeOptions {
  /**
   * Ids are remembered while their epoch is at most this many days older than the newest epoch
   * stored (default 8); reports older than that are refused as stale. Default 8.
   */
  dedupeDays?: number;
}

/** Which store a collector opens: PGlite under `dataDir`, or PostgreSQL at `databaseUrl`. */
export type StoreOption =
  | ({ dataDir: string } & DedupeOptions)
  | ({ databaseUrl: string; schema?: string; max?: number } & DedupeOptions)
  | CollectorStore;

/** Splits a batch by the window: `latest` is the newest epoch already stored (or undefined). */
export function splitByWindow(
  reports: LDPReport[],
  latest: number | undefined,
  days: number,
): { fresh: LDPReport[]; stale: string[]; latest: number | undefined; horizon: number } {
  let top = latest;
  for (const r of reports) if (top === undefined || r.epoch > top) top = r.epoch;
  const horizon = top === undefined ? 0 : top - days;
  const fresh: LDPReport[] = [];
  const stale: string[] = [];
  for (const r of reports) (r.epoch >= horizon ? fresh.push(r) : stale.push(r.id));
  return { fresh, stale, latest: top, horizon };
}

/** Checks a `dedupeDays` value (default 8). */
export function checkDays(d: unknown = 8): number {
  if (!Number.isSafeInteger(d) || (d as number) < 0) throw new CohortkitError('invalid-options', 'store.dedupeDays: expected an integer ≥ 0');
  return d as number;
}

/**
 * Opens the store named by `opt` (PGlite and pg are imported only when used). Returns a custom
 * {@link CollectorStore} as is.
 */
export async function openStore(opt: StoreOption): Promise<CollectorStore> {
  if ('addBatch' in opt) return opt;
  if ('dataDir' in opt) return (await import('./store-pglite')).createPGliteStore(opt);
  return (await import('./store-postgres')).createPostgresStore(opt);
}
