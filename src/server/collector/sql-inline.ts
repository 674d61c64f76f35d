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

const literal = (v: unknown): string | undefined => {
  if (v === null) return 'null';
  // Shortest round-trip form (float8 reads back the same double); a negative one in parentheses, so
  // no statement can turn its sign into a comment (`1 -$1` with −1 is `1 -(-1)`, never `1 --1`).
  if (typeof v === 'number') return Number.isFinite(v) ? (v < 0 ? `(${v})` : String(v)) : undefined;
  if (typeof v === 'string') return SAFE_TEXT.test(v) ? `'${v}'` : undefined;
  if (Array.isArray(v)) {
    const items = v.map((x) => (Array.isArray(x) ? undefined : literal(x)));
    return items.every((x) => x !== undefined) ? `array[${items.join(',')}]` : undefined;
  }
  return undefined;
};

/** `sql` with `$1…$n` replaced by `params` as literals, or undefined when one cannot be written in. */
export function inline(sql: string, params: unknown[]): string | undefined {
  const lits = params.map(literal);
  if (lits.some((l) => l === undefined)) return undefined;
  let bad = false;
  const out = sql.replace(/\$(\d+)/g, (_, n: string) => {
    const l = lits[Number(n) - 1];
    if (l === undefined) bad = true;
    return l ?? '';
  });
  return bad ? undefined : out;
}
