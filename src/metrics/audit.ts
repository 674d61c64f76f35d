// Fairness audit: is a segment's membership rate similar across groups? Read from an LDP cohort
// space of group × in/out, so no visitor-level data exists anywhere.
import type { CohortSpace, Rule, SegmentDefinition } from '../types';
import { ID, fail, list, obj, want, type Obj } from '../validate';
import { fiellerRatio, readCounts, shareCovariance, shareOf, type ShareWithGradient } from './rate';

export interface AuditOptions {
  /** Audit id; the space is named `audit-<id>`. */
  id: string;
  /** The segment whose membership rate is compared across groups. */
  segment: string;
  /** Groups, in order; a visitor belongs to the first group whose segment they are a member of. */
  groups: Array<{ id: string; segment: string }>;
  /** Purposes the audit's own segments rely on (beyond those of the segments they reference); default none. */
  purposes?: string[];
}

export interface AuditGroup {
  id: string;
  /** Estimated reporters in the group (in + out, negative estimates clamped to 0). */
  n: number;
  /** Share of the group in `segment`; NaN when not estimable (no reporters, or a cohort withheld). */
  rate: number;
  stderr: number;
  ci95: [number, number];
}

export interface AuditResult {
  groups: AuditGroup[];
  /** Lowest rate ÷ highest rate over the estimable groups (NaN with fewer than two). */
  ratio: number;
  /** 95% interval of `ratio` (Fieller); [0, Infinity] when the data cannot bound it. */
  ci95: [number, number];
  /** The interval's upper bound is below `threshold`: a disparity the noise cannot explain. */
  flagged: boolean;
  /** The groups whose rates form `ratio` (ids; absent with fewer than two estimable groups). */
  lowest?: string;
  highest?: string;
}

/** Most groups an audit may have (k = 2·groups + 1 ≤ 65). */
export const MAX_AUDIT_GROUPS = 32;

/**
 * Segments and the cohort space of a fairness audit. Add `segments` to `options.segments` and
 * `space` to `options.cohorts`. Space `audit-<id>`: for each group in order `<group>-in` and
 * `<group>-out` (member of `segment` or not), fallback `ungrouped`. Each cohort's segment is
 * "member of this group, of no earlier group, and in (or not in) `segment`".
 * @throws CohortkitError `invalid-options` naming the path, e.g. `groups[1].id: duplicate id "a"`
 */
export function defineAudit(o: AuditOptions): { segments: SegmentDefinition[]; space: CohortSpace } {
  const v = obj(o, '', ['id', 'segment', 'groups', 'purposes']);
  const id = want<string>(v.id, ID, 'id');
  const space = `audit-${id}`;
  const prefix = `aud-${id}`;
  const target = want<string>(v.segment, ID, 'segment');
  const raw = list(v.groups, 'groups', 1);
  if (raw.length > MAX_AUDIT_GROUPS) fail('groups', `expected at most ${MAX_AUDIT_GROUPS} groups`);
  const seen = new Set<string>();
  const groups: Array<{ id: string; segment: string }> = [];
  raw.forEach((g, i) => {
    const gv: Obj = obj(g, `groups[${i}]`, ['id', 'segment']);
    const gid = want<string>(gv.id, ID, `groups[${i}].id`);
    if (seen.has(gid)) fail(`groups[${i}].id`, `duplicate id "${gid}"`);
    if (gid === 'ungrouped') fail(`groups[${i}].id`, '"ungrouped" is the fallback cohort');
    if (gid.length > 60) fail(`groups[${i}].id`, 'expected at most 60 characters (the cohort id is "<group>-out")');
    seen.add(gid);
    const seg = want<string>(gv.segment, ID, `groups[${i}].segment`);
    // Both would be read as a rate: 1 by construction, or 0 reporters (a visitor joins the first matching group).
    if (seg === target) fail(`groups[${i}].segment`, `"${seg}" is the audited segment (the group's rate would be 1 by construction)`);
    const twin = groups.find((e) => e.segment === seg);
    if (twin) fail(`groups[${i}].segment`, `"${seg}" is already the segment of group "${twin.id}" (this group would never have a member)`);
    groups.push({ id: gid, segment: seg });
  });
  const purposes =
    v.purposes === undefined ? [] : list(v.purposes, 'purposes').map((p, i, all) => {
      want<string>(p, ID, `purposes[${i}]`);
      if (all.indexOf(p) < i) fail(`purposes[${i}]`, `duplicate purpose "${p}"`);
      return p as string;
    });
  // Generated ids must be ids too: the longest is `aud-<id>-<last index>-out`.
  if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(`${prefix}-${groups.length - 1}-out`) || space.length > 64)
    fail('id', `too long: "${prefix}-${groups.length - 1}-out" must fit 64 characters`);
  const segments: SegmentDefinition[] = [];
  const cohorts: CohortSpace['cohorts'] = [];
  groups.forEach((g, i) => {
    const earlier: Rule[] = groups.slice(0, i).map((e) => ({ not: { segment: e.segment } }));
    for (const inside of [true, false]) {
      const sid = `${prefix}-${i}-${inside ? 'in' : 'out'}`;
      const member: Rule = inside ? { segment: target } : { not: { segment: target } };
      segments.push({
        id: sid,
        description: `Audit ${id}: group ${g.id}, ${inside ? 'in' : 'not in'} ${target}`,
        purposes,
        rule: { all: [{ segment: g.segment }, ...earlier, member] },
      });
      cohorts.push({ id: `${g.id}-${inside ? 'in' : 'out'}`, segment: sid });
    }
  });
  return {
    segments,
    space: { id: space, description: `Fairness audit ${id}: membership of ${target} per group`, cohorts, fallback: 'ungrouped' },
  };
}

/**
 * Per-group membership rate, the disparity ratio (lowest ÷ highest) with a 95% interval, and the
 * four-fifths flag, from `estimator.estimate('audit-<id>')` (or a GET /v1/estimates body).
 * Each rate's stderr counts the LDP noise and the sampling of reporters (see docs/metrics.md).
 * @param o.threshold default 0.8 (the four-fifths rule); a number in (0, 1]
 * @throws CohortkitError `invalid-argument` for a malformed estimate or threshold, naming the path
 */
export function readAudit(estimate: unknown, o: { threshold?: number } = {}): AuditResult {
  const opts = obj(o, 'options', ['threshold'], 'invalid-argument');
  const threshold = (opts.threshold ?? 0.8) as number;
  if (typeof threshold !== 'number' || !(threshold > 0 && threshold <= 1)) fail('options.threshold', 'expected a number in (0, 1]', 'invalid-argument');
  const c = readCounts(estimate);
  const last = c.ids.length - 1;
  if (c.ids.length < 3 || c.ids.length % 2 !== 1 || c.ids[last] !== 'ungrouped')
    fail('estimate.cohorts', 'expected an audit space: <group>-in, <group>-out per group, then ungrouped', 'invalid-argument');
  const groups: AuditGroup[] = [];
  const shares: ShareWithGradient[] = [];
  for (let i = 0; i < last; i += 2) {
    const gid = c.ids[i]!.slice(0, -3);
    if (!c.ids[i]!.endsWith('-in') || c.ids[i + 1] !== `${gid}-out`)
      fail(`estimate.cohorts[${i}].id`, `expected "<group>-in" followed by "<group>-out", got "${c.ids[i]}", "${c.ids[i + 1]}"`, 'invalid-argument');
    const s = shareOf(c, [i], [i, i + 1]);
    shares.push(s);
    groups.push({ id: gid, n: s.n, rate: s.rate, stderr: s.stderr, ci95: s.ci95 });
  }
  const ok = groups.map((_, i) => i).filter((i) => Number.isFinite(groups[i]!.rate));
  if (ok.length < 2) return { groups, ratio: NaN, ci95: [0, Infinity], flagged: false };
  let lo = ok[0]!;
  let hi = ok[0]!;
  for (const i of ok) {
    if (groups[i]!.rate < groups[lo]!.rate) lo = i;
    if (groups[i]!.rate > groups[hi]!.rate) hi = i;
  }
  if (lo === hi) hi = ok[1]!; // all rates equal
  const [L, H] = [shares[lo]!, shares[hi]!];
  const ratio = H.rate > 0 ? L.rate / H.rate : NaN;
  const ci95 = fiellerRatio(L.rate, L.stderr ** 2, H.rate, H.stderr ** 2, shareCovariance(c, L, H));
  return { groups, ratio, ci95, flagged: ci95[1] < threshold, lowest: groups[lo]!.id, highest: groups[hi]!.id };
}

