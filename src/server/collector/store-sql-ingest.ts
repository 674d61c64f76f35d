import type { LDPReport } from '../../types';
import { addToRows, rowKey, type StatsRow } from '../estimator/stats';

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
export const INGEST_SQL = `with input as (
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
export function ingestParams(reports: LDPReport[]): unknown[] {
  const rows = new Map<string, StatsRow>();
  for (const r of reports) addToRows(rows, r);
  const sorted = [...rows.values()].sort((a, b) => (rowKey(a) < rowKey(b) ? -1 : 1));
  const index = new Map(sorted.map((r, i) => [rowKey(r), i + 1]));
  const ri: number[] = [];
  const ord: number[] = [];
  const pos: number[] = [];
  const cnt: number[] = [];
  reports.forEach((r, i) => {
    const one = new Map<string, StatsRow>();
    const row = addToRows(one, r); // this report's own contribution
    ri.push(index.get(rowKey(row))!);
    row.support.forEach((c, p) => {
      if (c) ord.push(i + 1), pos.push(p + 1), cnt.push(c);
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
