// The "why" table in words: each explanation condition (path, observed, expected, passed) read
// against the segment's rule, with the `not`s above it applied, e.g. `rule.all[1].not.count`
// → "no purchase within 30d" (✓ when that holds), `not: { segment: 'x' }` → "is not a member of x".

/** The sub-rule at `path` ("rule.all[1].not.count") and how many `not`s sit above it. */
export function ruleAt(rule, path) {
  const steps = String(path).split('.').slice(1); // drop the leading "rule"
  let r = rule;
  let nots = 0;
  const rest = [];
  for (const s of steps) {
    const m = /^(all|any)\[(\d+)\]$/.exec(s);
    if (m && Array.isArray(r?.[m[1]])) r = r[m[1]][Number(m[2])];
    else if (s === 'not' && r?.not) (r = r.not), nots++;
    else rest.push(s);
  }
  return { rule: r && typeof r === 'object' ? r : undefined, negated: nots % 2 === 1, sub: rest.join('.') };
}

const str = (v) => (typeof v === 'string' ? v : JSON.stringify(v));
const whereText = (where) =>
  Object.entries(where ?? {})
    .map(([k, p]) =>
      p !== null && typeof p === 'object'
        ? 'in' in p
          ? `${k} in ${p.in.map(str).join(' / ')}`
          : [p.gte !== undefined && `${k} ≥ ${p.gte}`, p.lte !== undefined && `${k} ≤ ${p.lte}`].filter(Boolean).join(', ')
        : `${k} = ${str(p)}`,
    )
    .join(', ');
const times = (n) => (n === 1 ? 'once' : `${n} times`);

/** "at least twice", negated "fewer than 2 times"; gte 1 negated is "never". */
function countText({ gte, lte } = {}, neg) {
  if (gte !== undefined && lte !== undefined) return neg ? `not between ${gte} and ${lte} times` : `between ${gte} and ${lte} times`;
  if (lte !== undefined) return neg ? `more than ${times(lte)}` : `at most ${times(lte)}`;
  const n = gte ?? 1;
  if (neg) return n <= 1 ? 'never' : `fewer than ${n} times`;
  return `at least ${times(n)}`;
}

/**
 * One condition in words, and whether it holds as the rule is written (the `not`s applied).
 * @param {object | undefined} rule the segment's rule (its definition)
 * @param {{ path: string, passed: boolean, expected: unknown }} c an explanation condition
 * @returns {{ text: string, holds: boolean }}
 */
export function describeCondition(rule, c) {
  const holds = (neg) => (neg ? !c.passed : c.passed);
  if (c.path === 'minEvidence') return { text: `at least ${c.expected?.gte} supporting events`, holds: c.passed };
  const { rule: r, negated: neg, sub } = ruleAt(rule, c.path);
  if (!r) return { text: `${neg ? 'not: ' : ''}${str(c.expected)}`, holds: holds(neg) };
  if ('segment' in r) return { text: neg ? `is not a member of ${r.segment}` : `is a member of ${r.segment}`, holds: holds(neg) };
  if ('context' in r) {
    const vs = (Array.isArray(r.in) ? r.in : []).map(str);
    const one = vs.length === 1;
    const text = `${r.context} ${neg ? (one ? 'is not' : 'is none of') : one ? 'is' : 'is one of'} ${vs.join(', ')}`;
    return { text, holds: holds(neg) };
  }
  const what = `${r.event}${r.where && Object.keys(r.where).length ? ` (${whereText(r.where)})` : ''}`;
  const within = r.within ? ` within ${r.within}` : '';
  let text;
  if (sub === 'count') {
    const cnt = countText(r.count, neg);
    text = cnt === 'never' ? `no ${what}${within}` : `${what} ${cnt}${within}`;
  } else if (sub === 'lastSeen') {
    const L = r.lastSeen ?? {};
    text = L.within
      ? neg ? `no ${what} in the last ${L.within}` : `last ${what} within ${L.within}`
      : neg ? `last ${what} not more than ${L.olderThan} ago (or none)` : `last ${what} more than ${L.olderThan} ago`;
  } else if (sub === 'firstSeen') {
    const F = r.firstSeen ?? {};
    text = neg ? `no ${what} more than ${F.olderThan} ago` : `first ${what} more than ${F.olderThan} ago`;
  } else text = `${neg ? 'not: ' : ''}${what} ${str(c.expected)}`;
  return { text, holds: holds(neg) };
}
