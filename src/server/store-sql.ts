import type { LDPReport, MechanismName } from '../types';
import { addToRows, rowKey, type StatsRow } from './stats';
import { checkDays, splitByWindow, type BatchResult, type CollectorStore, type DedupeOptions } from './store';

/** The smallest SQL surface the stores need (PGlite and pg both fit). */
export interface SqlClient {
  query(sql: string, params?: unknown[]): Promise<{ rows: any[] }>;
}
export interface SqlDriver extends SqlClient {
  /** Runs `fn` in one transaction: COMMIT when it resolves, ROLLBACK when it throws. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Versioned migrations; each entry runs once, in order, recorded in `cohortkit_migrations`. */
export const MIGRATIONS: string[][] = [
  [
    `create table if not exists cohortkit_stats (
  space text not null, space_version int not null, epoch int not null, mechanism text not null,
  k int not null, epsilon double precision not null, g bigint not null,
  n bigint not null, support bigint[] not null,
  primary key (space, space_version, epoch, mechanism, k, epsilon, g))`,
    `create table if not exists cohortkit_ids (id text primary key, epoch int not null)`,
    `create index if not exists cohortkit_ids_epoch on cohortkit_ids (epoch)`,
  ],
];

/**
 * Adds a delta row: n and every support count summed element-wise (plain SQL: PostgreSQL ≥ 9.4,
 * PGlite, Citus). Rows from many collectors simply add up.
 */
export const UPSERT_STATS_SQL = `insert into cohortkit_stats as s
  (space, space_version, epoch, mechanism, k, epsilon, g, n, support)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9::bigint[])
on conflict (space, space_version, epoch, mechanism, k, epsilon, g) do update set
  n = s.n + excluded.n,
  support = array(select a + b from unnest(s.support, excluded.support) with ordinality as t(a, b, i) order by i)`;

/** Remembers ids; returns only those that were new (the others are duplicates). */
export const INSERT_IDS_SQL = `insert into cohortkit_ids (id, epoch)
select * from unnest($1::text[], $2::int[]) on conflict (id) do nothing returning id`;

/** Reads counts back (numbers, not strings): `$2` null for every epoch. */
export const SELECT_ROWS_SQL = `select space, space_version, epoch, mechanism, k, epsilon, g::float8 as g,
  n::float8 as n, support::float8[] as support
from cohortkit_stats where space = $1 and ($2::int is null or epoch = $2::int)
order by epoch, mechanism, epsilon, g`;

/** Applies pending {@link MIGRATIONS} under an advisory lock (concurrent collectors wait). */
export async function migrate(db: SqlDriver): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock(730113)');
    await tx.query('create table if not exists cohortkit_migrations (version int primary key, applied_at timestamptz not null default now())');
    const done = new Set((await tx.query('select version from cohortkit_migrations')).rows.map((r) => Number(r.version)));
    for (let v = 1; v <= MIGRATIONS.length; v++) {
      if (done.has(v)) continue;
      for (const sql of MIGRATIONS[v - 1]) await tx.query(sql);
      await tx.query('insert into cohortkit_migrations (version) values ($1)', [v]);
    }
  });
}

/** A {@link CollectorStore} over any {@link SqlDriver}; `open` connects (lazily, once). */
export function createSqlStore(kind: string, open: () => Promise<SqlDriver>, opts: DedupeOptions = {}): CollectorStore {
  const days = checkDays(opts.dedupeDays);
  let db: Promise<SqlDriver> | undefined;
  const conn = (): Promise<SqlDriver> =>
    (db ??= open().then(async (d) => {
      try {
        await migrate(d);
        return d;
      } catch (e) {
        await d.close().catch(() => {});
        throw e;
      }
    })).catch((e) => {
      db = undefined; // the next call retries
      throw e;
    });
  const batch = (d: SqlDriver, reports: LDPReport[]): Promise<BatchResult> =>
    d.transaction(async (tx) => {
      const top = (await tx.query('select max(epoch) as m from cohortkit_ids')).rows[0]?.m;
      const w = splitByWindow(reports, top == null ? undefined : Number(top), days);
      if (top != null && Number(top) - days < w.horizon) await tx.query('delete from cohortkit_ids where epoch < $1', [w.horizon]);
      const fresh = new Set<string>();
      if (w.fresh.length) {
        const res = await tx.query(INSERT_IDS_SQL, [w.fresh.map((r) => r.id), w.fresh.map((r) => r.epoch)]);
        for (const r of res.rows) fresh.add(r.id);
      }
      const delta = new Map<string, StatsRow>();
      for (const r of w.fresh) if (fresh.has(r.id)) addToRows(delta, r);
      for (const r of [...delta.values()].sort((a, b) => (rowKey(a) < rowKey(b) ? -1 : 1))) {
        await tx.query(UPSERT_STATS_SQL, [r.space, r.spaceVersion, r.epoch, r.mechanism, r.k, r.epsilon, r.g, r.n, r.support]);
      }
      return { duplicateIds: w.fresh.filter((r) => !fresh.has(r.id)).map((r) => r.id), staleIds: w.stale };
    });
  return {
    kind,
    async init() {
      await conn();
    },
    async addBatch(input: LDPReport[]) {
      // Sorted ids and rows: concurrent collectors take row locks in one order (no deadlocks).
      const reports = input.slice().sort((a, b) => (a.id < b.id ? -1 : 1));
      const d = await conn();
      for (let attempt = 1; ; attempt++) {
        try {
          return await batch(d, reports);
        } catch (e) {
          const code = (e as { code?: string }).code;
          if (attempt >= 3 || (code !== '40P01' && code !== '40001')) throw e;
        }
      }
    },
    async rows(space, epoch) {
      const res = await (await conn()).query(SELECT_ROWS_SQL, [space, epoch ?? null]);
      return res.rows.map(
        (r): StatsRow => ({
          space: r.space,
          spaceVersion: r.space_version,
          epoch: r.epoch,
          mechanism: r.mechanism as MechanismName,
          k: r.k,
          epsilon: r.epsilon,
          g: r.g,
          n: r.n,
          support: r.support,
        }),
      );
    },
    async epochs(space) {
      const res = await (await conn()).query('select distinct epoch from cohortkit_stats where space = $1 order by epoch', [space]);
      return res.rows.map((r) => r.epoch as number);
    },
    async close() {
      const d = db;
      db = undefined;
      if (d) await (await d.catch(() => undefined))?.close();
    },
  };
}
