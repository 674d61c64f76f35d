import { d as addToRows, h as rowKey, k as checkDays, l as checkMaxGroups, n as dayOf, q as splitByWindow, t as groupOf } from './cli-23aM4S7M.js';

/**
 * Statements with their parameters written in as literals, for PostgreSQL's simple query protocol
 * (PGlite's `exec`: one message, no parse/bind/describe round of its own; the batch
 * transaction's two statements took ≈ 0.8 ms instead of ≈ 1.1 ms in a probe, docs/collector.md).
 * Only values that cannot change the statement are written in: strings of `[A-Za-z0-9_.:|-]`
 * (report ids, space ids, mechanism names: what the report validator admits), finite numbers,
 * null, and arrays of those. Anything else returns `undefined` and the caller uses the parameterized statement, so a
 * hostile value costs speed, never safety.
 */
const SAFE_TEXT = /^[A-Za-z0-9_.:|-]{0,200}$/;
const literal = (v) => {
    if (v === null)
        return 'null';
    // Shortest round-trip form (float8 reads back the same double); a negative one in parentheses, so
    // no statement can turn its sign into a comment (`1 -$1` with −1 is `1 -(-1)`, never `1 --1`).
    if (typeof v === 'number')
        return Number.isFinite(v) ? (v < 0 ? `(${v})` : String(v)) : undefined;
    if (typeof v === 'string')
        return SAFE_TEXT.test(v) ? `'${v}'` : undefined;
    if (Array.isArray(v)) {
        const items = v.map((x) => (Array.isArray(x) ? undefined : literal(x)));
        return items.every((x) => x !== undefined) ? `array[${items.join(',')}]` : undefined;
    }
    return undefined;
};
/** `sql` with `$1…$n` replaced by `params` as literals, or undefined when one cannot be written in. */
function inline(sql, params) {
    const lits = params.map(literal);
    if (lits.some((l) => l === undefined))
        return undefined;
    let bad = false;
    const out = sql.replace(/\$(\d+)/g, (_, n) => {
        const l = lits[Number(n) - 1];
        if (l === undefined)
            bad = true;
        return l ?? '';
    });
    return bad ? undefined : out;
}

/**
 * The collector's hot path as ONE statement (so one round trip and, outside a transaction, one
 * implicit transaction with one durable commit): remember the ids, and add to the stats rows only
 * the reports whose id was new. Used when the batch opens no new group and the day's prune already
 * ran (otherwise the batch takes the multi-statement transaction in store-sql.ts).
 *
 * $1 ids (text[], sorted), $2 their epochs, $3 each report's row (1-based into the row arrays);
 * $4…$10 the rows' keys (space, space_version, epoch, mechanism, k, epsilon, g), in rowKey order;
 * $11…$13 the support entries, sparse: report (1-based), cohort (1-based), count.
 * Returns the ids that were new.
 */
const INGEST_SQL = `with input as (
  select * from unnest($1::text[], $2::int[], $3::int[]) with ordinality as t(id, epoch, ri, ord)
), fresh as (
  insert into cohortkit_ids (id, epoch) select id, epoch from input order by id
  on conflict (id) do nothing returning id
), got as (
  select input.ord, input.ri from input join fresh using (id)
), counts as (
  select ri, count(*)::bigint as n from got group by ri
), sup as (
  select got.ri, e.pos, sum(e.cnt)::bigint as c
  from unnest($11::int[], $12::int[], $13::bigint[]) as e(ord, pos, cnt) join got using (ord)
  group by got.ri, e.pos
), up as (
  insert into cohortkit_stats as s (space, space_version, epoch, mechanism, k, epsilon, g, n, support)
  select m.space, m.space_version, m.epoch, m.mechanism, m.k, m.epsilon, m.g, counts.n,
    array(select coalesce((select sup.c from sup where sup.ri = m.ri and sup.pos = p), 0)::bigint
          from generate_series(1, m.k) as p order by p)
  from unnest($4::text[], $5::int[], $6::int[], $7::text[], $8::int[], $9::float8[], $10::bigint[])
    with ordinality as m(space, space_version, epoch, mechanism, k, epsilon, g, ri)
  join counts using (ri)
  order by m.ri
  on conflict (space, space_version, epoch, mechanism, k, epsilon, g) do update set
    n = s.n + excluded.n,
    support = array(select a + b from unnest(s.support, excluded.support) with ordinality as t(a, b, i) order by i)
  returning 1
)
select id from fresh`;
/** The parameters of {@link INGEST_SQL} for `reports` (sorted by id, distinct ids). */
function ingestParams(reports) {
    const rows = new Map();
    for (const r of reports)
        addToRows(rows, r);
    const sorted = [...rows.values()].sort((a, b) => (rowKey(a) < rowKey(b) ? -1 : 1));
    const index = new Map(sorted.map((r, i) => [rowKey(r), i + 1]));
    const ri = [];
    const ord = [];
    const pos = [];
    const cnt = [];
    reports.forEach((r, i) => {
        const one = new Map();
        const row = addToRows(one, r); // this report's own contribution
        ri.push(index.get(rowKey(row)));
        row.support.forEach((c, p) => {
            if (c)
                ord.push(i + 1), pos.push(p + 1), cnt.push(c);
        });
    });
    return [
        reports.map((r) => r.id),
        reports.map((r) => r.epoch),
        ri,
        sorted.map((r) => r.space),
        sorted.map((r) => r.spaceVersion),
        sorted.map((r) => r.epoch),
        sorted.map((r) => r.mechanism),
        sorted.map((r) => r.k),
        sorted.map((r) => r.epsilon),
        sorted.map((r) => r.g),
        ord,
        pos,
        cnt,
    ];
}

/** Versioned migrations; each entry runs once, in order, recorded in `cohortkit_migrations`. */
const MIGRATIONS = [
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
const UPSERT_STATS_SQL = `insert into cohortkit_stats as s
  (space, space_version, epoch, mechanism, k, epsilon, g, n, support)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9::bigint[])
on conflict (space, space_version, epoch, mechanism, k, epsilon, g) do update set
  n = s.n + excluded.n,
  support = array(select a + b from unnest(s.support, excluded.support) with ordinality as t(a, b, i) order by i)`;
/** The parameters of {@link UPSERT_STATS_SQL} for each delta row, in rowKey order (one lock order for every collector). */
const upserts = (delta) => [...delta.values()].sort((a, b) => (rowKey(a) < rowKey(b) ? -1 : 1)).map((r) => [r.space, r.spaceVersion, r.epoch, r.mechanism, r.k, r.epsilon, r.g, r.n, r.support]);
/** Remembers ids that must be new: a duplicate raises unique_violation (23505). */
const INSERT_NEW_IDS_SQL = `insert into cohortkit_ids (id, epoch) select * from unnest($1::text[], $2::int[])`;
/** Remembers ids; returns only those that were new (the others are duplicates). */
const INSERT_IDS_SQL = `insert into cohortkit_ids (id, epoch)
select * from unnest($1::text[], $2::int[]) on conflict (id) do nothing returning id`;
/** Reads counts back (numbers, not strings): `$2` null for every epoch. */
const SELECT_ROWS_SQL = `select space, space_version, epoch, mechanism, k, epsilon, g::float8 as g,
  n::float8 as n, support::float8[] as support
from cohortkit_stats where space = $1 and ($2::int is null or epoch = $2::int)
order by epoch, mechanism, epsilon, g`;
/** The groups of one (space, version, epoch). */
const SELECT_GROUPS_SQL = `select mechanism, k, epsilon, g::float8 as g from cohortkit_stats
where space = $1 and space_version = $2 and epoch = $3`;
/** Applies pending {@link MIGRATIONS} under an advisory lock (concurrent collectors wait). */
async function migrate(db) {
    await db.transaction(async (tx) => {
        await tx.query('select pg_advisory_xact_lock(730113)');
        await tx.query('create table if not exists cohortkit_migrations (version int primary key, applied_at timestamptz not null default now())');
        const done = new Set((await tx.query('select version from cohortkit_migrations')).rows.map((r) => Number(r.version)));
        for (let v = 1; v <= MIGRATIONS.length; v++) {
            if (done.has(v))
                continue;
            for (const sql of MIGRATIONS[v - 1])
                await tx.query(sql);
            await tx.query('insert into cohortkit_migrations (version) values ($1)', [v]);
        }
    });
}
/** A {@link CollectorStore} over any {@link SqlDriver}; `open` connects (lazily, once). */
function createSqlStore(kind, open, opts = {}) {
    const days = checkDays(opts.dedupeDays);
    let db;
    const conn = () => (db ??= open().then(async (d) => {
        try {
            await migrate(d);
            return d;
        }
        catch (e) {
            await d.close().catch(() => { });
            throw e;
        }
    })).catch((e) => {
        db = undefined; // the next call retries
        throw e;
    });
    const maxGroups = checkMaxGroups(opts.maxGroups);
    const { now = Date.now, reservedGroup = () => false } = opts;
    let prunedFor;
    /** `space|version|epoch|group` known to exist (rows are never deleted, so this stays true). */
    const known = new Set();
    /** Which reports may open or join their group: at most `maxGroups` per (space, version, epoch). */
    const admit = async (tx, reports) => {
        const byAt = new Map();
        for (const r of reports) {
            const at = `${r.space}|${r.spaceVersion}|${r.epoch}`;
            if (!reservedGroup(r) && !known.has(`${at}|${groupOf(r)}`))
                byAt.set(at, [...(byAt.get(at) ?? []), r]);
        }
        const refused = new Set();
        for (const at of [...byAt.keys()].sort()) {
            const [space, version, epoch] = at.split('|');
            // Serializes collectors opening groups of one (space, version, epoch); joins need no lock.
            await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`cohortkit:${at}`]);
            const res = await tx.query(SELECT_GROUPS_SQL, [space, Number(version), Number(epoch)]);
            const have = new Set(res.rows.map((g) => groupOf({ mechanism: g.mechanism, k: g.k, epsilon: g.epsilon, g: g.g })));
            if (known.size > 100_000)
                known.clear();
            for (const g of have)
                known.add(`${at}|${g}`);
            for (const r of byAt.get(at).sort((a, b) => (groupOf(a) < groupOf(b) ? -1 : 1))) {
                const g = groupOf(r);
                if (have.has(g))
                    continue;
                if (have.size >= maxGroups)
                    refused.add(r.id);
                else
                    have.add(g); // opened by this batch (known once committed and seen again)
            }
        }
        return refused;
    };
    /** No group to open (all known or reserved) and the day's prune done: the fast paths (one script, one statement) may run. */
    const settled = (reports, today) => prunedFor === today &&
        reports.every((r) => reservedGroup(r) || known.has(`${r.space}|${r.spaceVersion}|${r.epoch}|${groupOf(r)}`));
    /**
     * Where the driver runs scripts (PGlite's exec, pg's simple query protocol) and the batch opens
     * no group: ONE script, which the simple query protocol runs as one implicit transaction, of a
     * plain insert of the ids and the rows' upserts. Honest traffic has no duplicate id; one makes
     * the insert raise 23505, the whole script rolls back (nothing counted) and the batch takes the
     * transaction, which sorts them out (a deadlock or serialization failure is retried by
     * addBatch, as for the transaction). Resolves undefined when this path does not apply or was
     * rolled back.
     */
    const optimistic = async (d, reports, today) => {
        if (!d.exec || !reports.length || !settled(reports, today))
            return;
        const delta = new Map();
        for (const r of reports)
            addToRows(delta, r);
        // `reports` come sorted by id (addBatch) and rows in rowKey order: every collector locks in one order.
        const ids = inline(INSERT_NEW_IDS_SQL, [reports.map((r) => r.id), reports.map((r) => r.epoch)]);
        const rows = upserts(delta).map((p) => inline(UPSERT_STATS_SQL, p));
        if (!ids || !rows.every(Boolean))
            return;
        try {
            await d.exec([ids, ...rows].join(';\n'));
            return true;
        }
        catch (e) {
            if (e?.code !== '23505')
                throw e;
        }
    };
    const batch = async (d, reports, today) => {
        const w = splitByWindow(reports, today, days);
        if (await optimistic(d, w.fresh, today))
            return { duplicateIds: [], staleIds: w.stale, futureIds: w.future, groupLimitIds: [] };
        if (w.fresh.length <= (d.oneStatementMax ?? 0) && settled(w.fresh, today)) {
            const res = w.fresh.length ? await d.query(INGEST_SQL, ingestParams(w.fresh)) : { rows: [] };
            const fresh = new Set(res.rows.map((r) => r.id));
            return { duplicateIds: w.fresh.filter((r) => !fresh.has(r.id)).map((r) => r.id), staleIds: w.stale, futureIds: w.future, groupLimitIds: [] };
        }
        return d.transaction(async (tx) => {
            if (prunedFor !== today)
                await tx.query('delete from cohortkit_ids where epoch < $1 or epoch > $2', [w.horizon, today + 1]);
            const refused = await admit(tx, w.fresh);
            const admitted = w.fresh.filter((r) => !refused.has(r.id));
            const fresh = new Set();
            if (admitted.length) {
                const params = [admitted.map((r) => r.id), admitted.map((r) => r.epoch)];
                const script = tx.exec && inline(INSERT_IDS_SQL, params);
                const res = script ? (await tx.exec(script))[0] : await tx.query(INSERT_IDS_SQL, params);
                for (const r of res.rows)
                    fresh.add(r.id);
            }
            const delta = new Map();
            for (const r of admitted)
                if (fresh.has(r.id))
                    addToRows(delta, r);
            const rows = upserts(delta);
            // Every row's upsert in one script where each can be written in; else one statement a row.
            const scripts = tx.exec ? rows.map((p) => inline(UPSERT_STATS_SQL, p)) : [];
            if (rows.length && scripts.length && scripts.every(Boolean))
                await tx.exec(scripts.join(';\n'));
            else
                for (const p of rows)
                    await tx.query(UPSERT_STATS_SQL, p);
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
        async addBatch(input, today = dayOf(now())) {
            // Sorted ids and rows: concurrent collectors take row locks in one order (no deadlocks).
            const reports = input.slice().sort((a, b) => (a.id < b.id ? -1 : 1));
            const d = await conn();
            for (let attempt = 1;; attempt++) {
                try {
                    const out = await batch(d, reports, today);
                    prunedFor = today;
                    return out;
                }
                catch (e) {
                    const code = e.code;
                    if (attempt >= 3 || (code !== '40P01' && code !== '40001'))
                        throw e;
                }
            }
        },
        async rows(space, epoch) {
            const res = await (await conn()).query(SELECT_ROWS_SQL, [space, epoch ?? null]);
            return res.rows.map((r) => ({
                space: r.space,
                spaceVersion: r.space_version,
                epoch: r.epoch,
                mechanism: r.mechanism,
                k: r.k,
                epsilon: r.epsilon,
                g: r.g,
                n: r.n,
                support: r.support,
            }));
        },
        async epochs(space, version) {
            const res = await (await conn()).query('select distinct epoch from cohortkit_stats where space = $1 and ($2::int is null or space_version = $2::int) order by epoch', [space, version ?? null]);
            return res.rows.map((r) => r.epoch);
        },
        async close() {
            const d = db;
            db = undefined;
            if (d)
                await (await d.catch(() => undefined))?.close();
        },
    };
}

export { INSERT_IDS_SQL as I, MIGRATIONS as M, SELECT_ROWS_SQL as S, UPSERT_STATS_SQL as U, createSqlStore as c, migrate as m };
//# sourceMappingURL=store-sql-CJkeJYR2.js.map
