import type { LDPReport, MechanismName } from '../../types';
import { addToRows, rowKey, type StatsRow } from '../estimator/stats';
import { inline } from './sql-inline';
import { INGEST_SQL, ingestParams } from './store-sql-ingest';
import { checkDays, checkMaxGroups, dayOf, groupOf, splitByWindow, type BatchResult, type CollectorStore, type DedupeOptions } from './store';

/** The smallest SQL surface the stores need (PGlite and pg both fit). */
export interface SqlClient {
  query(sql: string, params?: unknown[]): Promise<{ rows: any[] }>;
  /**
   * Optional: runs statements without parameters (the simple query protocol), one result per
   * statement. The store only passes what {@link inline} wrote from values it checked: a batch's
   * one script (PGlite, PostgreSQL), and in PGlite the transaction's statements too (there the
   * round trip is cheap but each statement's parse/bind is not).
   */
  exec?(script: string): Promise<{ rows: any[] }[]>;
}
export interface SqlDriver extends SqlClient {
  /** Runs `fn` in one transaction: COMMIT when it resolves, ROLLBACK when it throws. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /**
   * Batches of up to this many reports that open no group take the one-statement path
   * ({@link INGEST_SQL}: one round trip, its own transaction). Default 0: never. Worth it where a
   * round trip costs more than planning the statement (PostgreSQL over a socket: 32); not in
   * PGlite (in-process, where the four simple statements cost less CPU than the one).
   */
  oneStatementMax?: number;
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

/** The parameters of {@link UPSERT_STATS_SQL} for each delta row, in rowKey order (one lock order for every collector). */
const upserts = (delta: Map<string, StatsRow>): unknown[][] =>
  [...delta.values()].sort((a, b) => (rowKey(a) < rowKey(b) ? -1 : 1)).map((r) => [r.space, r.spaceVersion, r.epoch, r.mechanism, r.k, r.epsilon, r.g, r.n, r.support]);

/** Remembers ids that must be new: a duplicate raises unique_violation (23505). */
export const INSERT_NEW_IDS_SQL = `insert into cohortkit_ids (id, epoch) select * from unnest($1::text[], $2::int[])`;

/** Remembers ids; returns only those that were new (the others are duplicates). */
export const INSERT_IDS_SQL = `insert into cohortkit_ids (id, epoch)
select * from unnest($1::text[], $2::int[]) on conflict (id) do nothing returning id`;

/** Reads counts back (numbers, not strings): `$2` null for every epoch. */
export const SELECT_ROWS_SQL = `select space, space_version, epoch, mechanism, k, epsilon, g::float8 as g,
  n::float8 as n, support::float8[] as support
from cohortkit_stats where space = $1 and ($2::int is null or epoch = $2::int)
order by epoch, mechanism, epsilon, g`;

/** The groups of one (space, version, epoch). */
export const SELECT_GROUPS_SQL = `select mechanism, k, epsilon, g::float8 as g from cohortkit_stats
where space = $1 and space_version = $2 and epoch = $3`;

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
export function createSqlStore(kind: string, open: () => Promise<SqlDriver>, opts: DedupeOptions = {}): CollectorStore & { ping(): Promise<void> } {
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
  const maxGroups = checkMaxGroups(opts.maxGroups);
  const { now = Date.now, reservedGroup = () => false } = opts;
  let prunedFor: number | undefined;
  /** `space|version|epoch|group` known to exist (rows are never deleted, so this stays true). */
  const known = new Set<string>();
  /** Which reports may open or join their group: at most `maxGroups` per (space, version, epoch). */
  const admit = async (tx: SqlClient, reports: LDPReport[]): Promise<Set<string>> => {
    const byAt = new Map<string, LDPReport[]>();
    for (const r of reports) {
      const at = `${r.space}|${r.spaceVersion}|${r.epoch}`;
      if (!reservedGroup(r) && !known.has(`${at}|${groupOf(r as never)}`)) byAt.set(at, [...(byAt.get(at) ?? []), r]);
    }
    const refused = new Set<string>();
    for (const at of [...byAt.keys()].sort()) {
      const [space, version, epoch] = at.split('|');
      // Serializes collectors opening groups of one (space, version, epoch); joins need no lock.
      await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`cohortkit:${at}`]);
      const res = await tx.query(SELECT_GROUPS_SQL, [space, Number(version), Number(epoch)]);
      const have = new Set<string>(res.rows.map((g) => groupOf({ mechanism: g.mechanism, k: g.k, epsilon: g.epsilon, g: g.g })));
      if (known.size > 100_000) known.clear();
      for (const g of have) known.add(`${at}|${g}`);
      for (const r of byAt.get(at)!.sort((a, b) => (groupOf(a as never) < groupOf(b as never) ? -1 : 1))) {
        const g = groupOf(r as never);
        if (have.has(g)) continue;
        if (have.size >= maxGroups) refused.add(r.id);
        else have.add(g); // opened by this batch (known once committed and seen again)
      }
    }
    return refused;
  };
  /** No group to open (all known or reserved) and the day's prune done: the fast paths (one script, one statement) may run. */
  const settled = (reports: LDPReport[], today: number): boolean =>
    prunedFor === today &&
    reports.every((r) => reservedGroup(r) || known.has(`${r.space}|${r.spaceVersion}|${r.epoch}|${groupOf(r as never)}`));
  /**
   * Where the driver runs scripts (PGlite's exec, pg's simple query protocol) and the batch opens
   * no group: ONE script, which the simple query protocol runs as one implicit transaction, of a
   * plain insert of the ids and the rows' upserts. Honest traffic has no duplicate id; one makes
   * the insert raise 23505, the whole script rolls back (nothing counted) and the batch takes the
   * transaction, which sorts them out (a deadlock or serialization failure is retried by
   * addBatch, as for the transaction). Resolves undefined when this path does not apply or was
   * rolled back.
   */
  const optimistic = async (d: SqlDriver, reports: LDPReport[], today: number): Promise<true | undefined> => {
    if (!d.exec || !reports.length || !settled(reports, today)) return;
    const delta = new Map<string, StatsRow>();
    for (const r of reports) addToRows(delta, r);
    // `reports` come sorted by id (addBatch) and rows in rowKey order: every collector locks in one order.
    const ids = inline(INSERT_NEW_IDS_SQL, [reports.map((r) => r.id), reports.map((r) => r.epoch)]);
    const rows = upserts(delta).map((p) => inline(UPSERT_STATS_SQL, p));
    if (!ids || !rows.every(Boolean)) return;
    try {
      await d.exec([ids, ...rows].join(';\n'));
      return true;
    } catch (e) {
      if ((e as { code?: string })?.code !== '23505') throw e;
    }
  };
  const batch = async (d: SqlDriver, reports: LDPReport[], today: number): Promise<BatchResult> => {
    const w = splitByWindow(reports, today, days);
    if (await optimistic(d, w.fresh, today)) return { duplicateIds: [], staleIds: w.stale, futureIds: w.future, groupLimitIds: [] };
    if (w.fresh.length <= (d.oneStatementMax ?? 0) && settled(w.fresh, today)) {
      const res = w.fresh.length ? await d.query(INGEST_SQL, ingestParams(w.fresh)) : { rows: [] };
      const fresh = new Set<string>(res.rows.map((r) => r.id));
      return { duplicateIds: w.fresh.filter((r) => !fresh.has(r.id)).map((r) => r.id), staleIds: w.stale, futureIds: w.future, groupLimitIds: [] };
    }
    return d.transaction(async (tx) => {
      if (prunedFor !== today) await tx.query('delete from cohortkit_ids where epoch < $1 or epoch > $2', [w.horizon, today + 1]);
      const refused = await admit(tx, w.fresh);
      const admitted = w.fresh.filter((r) => !refused.has(r.id));
      const fresh = new Set<string>();
      if (admitted.length) {
        const params = [admitted.map((r) => r.id), admitted.map((r) => r.epoch)];
        const script = tx.exec && inline(INSERT_IDS_SQL, params);
        const res = script ? (await tx.exec!(script))[0] : await tx.query(INSERT_IDS_SQL, params);
        for (const r of res.rows) fresh.add(r.id);
      }
      const delta = new Map<string, StatsRow>();
      for (const r of admitted) if (fresh.has(r.id)) addToRows(delta, r);
      const rows = upserts(delta);
      // Every row's upsert in one script where each can be written in; else one statement a row.
      const scripts = tx.exec ? rows.map((p) => inline(UPSERT_STATS_SQL, p)) : [];
      if (rows.length && scripts.length && scripts.every(Boolean)) await tx.exec!(scripts.join(';\n'));
      else for (const p of rows) await tx.query(UPSERT_STATS_SQL, p);
      return {
        duplicateIds: admitted.filter((r) => !fresh.has(r.id)).map((r) => r.id),
        staleIds: w.stale,
        futureIds: w.future,
        groupLimitIds: [...refused],
      };
    });
  };
  return {
    kind,
    async init() {
      await conn();
    },
    /** A cheap round trip (`select 1`): the collector's `/healthz`. */
    async ping() {
      await (await conn()).query('select 1');
    },
    async addBatch(input: LDPReport[], today = dayOf(now())) {
      // Sorted ids and rows: concurrent collectors take row locks in one order (no deadlocks).
      const reports = input.slice().sort((a, b) => (a.id < b.id ? -1 : 1));
      const d = await conn();
      for (let attempt = 1; ; attempt++) {
        try {
          const out = await batch(d, reports, today);
          prunedFor = today;
          return out;
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
    async epochs(space, version) {
      const res = await (await conn()).query(
        'select distinct epoch from cohortkit_stats where space = $1 and ($2::int is null or space_version = $2::int) order by epoch',
        [space, version ?? null],
      );
      return res.rows.map((r) => r.epoch as number);
    },
    async close() {
      const d = db;
      db = undefined;
      if (d) await (await d.catch(() => undefined))?.close();
    },
  };
}
