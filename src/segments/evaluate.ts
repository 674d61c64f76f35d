// Pure, deterministic segment evaluation with explanations.
import type { Explanation, ExplanationCondition } from '../types';
import type { Catalog, CompiledEventRule, CompiledRule, EvaluationInput, SignalRollup } from './types';

interface State {
  catalog: Catalog;
  input: EvaluationInput;
  cache: Map<string, Explanation>;
  conditions: ExplanationCondition[];
  evidence: number;
  /** Membership only: no condition or signal is described (a track's commit reads only `member`). */
  lite: boolean;
}

/** Each weighted timestamp (≤ now) of a rollup, in order: implicit older events sit at `first`. No arrays made (the hot loop). */
function forStamps(x: SignalRollup, now: number, fn: (t: number, w: number) => void): void {
  for (const t of x.times) if (t <= now) fn(t, 1);
  const extra = x.count - x.times.length;
  if (extra > 0 && x.first <= now) fn(x.first, extra);
}

/** Whether rollup `x` is one that event rule `r` counts (its event, every `where` met). */
export function matches(x: SignalRollup, r: CompiledEventRule): boolean {
  return (
    x.event === r.event &&
    r.where.every(([k, p]) => {
      const v = Object.prototype.hasOwnProperty.call(x.props, k) ? x.props[k] : undefined;
      if (v === undefined) return false;
      if ('eq' in p) return v === p.eq;
      if ('in' in p) return p.in.includes(v);
      return typeof v === 'number' && !(v < p.gte!) && !(v > p.lte!);
    })
  );
}

/** The rollups of one event (all of them when the input has no index). */
const ofEvent = (input: EvaluationInput, event: string): SignalRollup[] =>
  input.byEvent ? (input.byEvent.get(event) ?? []) : input.rollups;

/** Rollups indexed by event name, for {@link EvaluationInput.byEvent}. */
export function indexByEvent<R extends SignalRollup>(rollups: R[]): Map<string, R[]> {
  const out = new Map<string, R[]>();
  for (const x of rollups) {
    const list = out.get(x.event);
    if (list) list.push(x);
    else out.set(x.event, [x]);
  }
  return out;
}

function testEvent(r: CompiledEventRule, st: State): boolean {
  const { now } = st.input;
  const rollups = ofEvent(st.input, r.event);
  const from = r.within ? now - r.within : -Infinity;
  let n = 0;
  let first: number | undefined;
  let last: number | undefined;
  for (const x of rollups)
    if (matches(x, r))
      forStamps(x, now, (t, w) => {
        if (t > from) n += w;
        first = Math.min(first ?? t, t);
        last = Math.max(last ?? t, t);
      });
  st.evidence += n;
  const c = r.count ?? { gte: 1 };
  // What each condition expected is described only when asked (`expected()`: not for a lite evaluation).
  const push = (sub: string, passed: boolean, observed: unknown, expected: () => unknown) => {
    if (!st.lite) st.conditions.push({ path: `${r.path}.${sub}`, passed, observed, expected: expected() });
    return passed;
  };
  let ok = push('count', !(n < c.gte!) && !(n > c.lte!), n, () => (r.withinText ? { ...c, within: r.withinText } : c));
  const L = r.lastSeen;
  if (L)
    ok = push(
      'lastSeen',
      last !== undefined && (L.within ? last >= now - L.within : last < now - L.olderThan!),
      last ?? null,
      () => (L.within ? { within: L.text } : { olderThan: L.text }),
    ) && ok;
  const F = r.firstSeen;
  if (F) ok = push('firstSeen', first !== undefined && first < now - F.olderThan, first ?? null, () => ({ olderThan: F.text })) && ok;
  return ok;
}

function test(r: CompiledRule, st: State): boolean {
  switch (r.kind) {
    case 'all':
      return r.rules.map((c) => test(c, st)).every(Boolean);
    case 'any':
      return r.rules.map((c) => test(c, st)).some(Boolean);
    case 'not':
      return !test(r.rule, st);
    case 'context': {
      const v = st.input.context[r.context];
      const lang = r.context === 'language' && typeof v === 'string' ? v.toLowerCase() : undefined;
      const passed = lang ? r.in.includes(lang) || r.in.includes(lang.split('-')[0]) : r.in.includes(v);
      if (!st.lite) st.conditions.push({ path: r.path, passed, observed: lang ?? v, expected: r.in });
      return passed;
    }
    case 'segment': {
      const e = evaluateSegment(st.catalog, r.segment, st.input, st.cache, st.lite);
      if (!st.lite) st.conditions.push({ path: r.path, passed: e.member, observed: e.reason, expected: 'match' });
      return e.member;
    }
    case 'declared': {
      const declared = st.input.declared ?? [];
      const passed = declared.includes(r.interest);
      if (!st.lite) st.conditions.push({ path: `${r.path}.declared`, passed, observed: [...declared], expected: r.interest });
      return passed;
    }
    default:
      return testEvent(r, st);
  }
}

/**
 * Evaluates one segment for one visitor, with the explanation of why.
 * Pure and deterministic: the same catalog and input give the same result.
 * @param catalog the compiled segments
 * @param id the segment id
 * @param input stored rollups, visitor context, the current time and the consent check
 * @param cache explanations already computed for this input (filled in, shared across calls)
 * @param lite membership only (`member`, `reason`, `purposes`): `conditions` and `signals` are left
 *   empty, for a caller that reads no more (a cache is then for lite explanations only)
 */
export function evaluateSegment(
  catalog: Catalog,
  id: string,
  input: EvaluationInput,
  cache: Map<string, Explanation> = new Map(),
  lite = false,
): Explanation {
  const hit = cache.get(id);
  if (hit) return hit;
  const s = catalog.get(id);
  if (!s) return { segment: id, member: false, reason: 'unknown-segment', conditions: [], signals: [], purposes: [] };
  const purposes = [...s.effectivePurposes];
  let out: Explanation;
  if (!purposes.every((p) => input.isGranted(p))) {
    out = { segment: id, member: false, reason: 'no-consent', conditions: [], signals: [], purposes };
  } else {
    const st: State = { catalog, input, cache, conditions: [], evidence: 0, lite };
    const matched = test(s.rule, st);
    const enough = st.evidence >= s.minEvidence;
    if (s.minEvidence && !lite)
      st.conditions.push({ path: 'minEvidence', passed: enough, observed: st.evidence, expected: { gte: s.minEvidence } });
    const signals = lite ? [] : [...new Set(s.lineage.map((r) => r.event))].map((event) => {
      const rules = s.lineage.filter((r) => r.event === event);
      let count = 0;
      let lastSeen: number | undefined;
      for (const x of ofEvent(input, event))
        if (rules.some((r) => matches(x, r)))
          forStamps(x, input.now, (t, w) => ((count += w), (lastSeen = Math.max(lastSeen ?? t, t))));
      return lastSeen === undefined ? { event, count } : { event, count, lastSeen };
    });
    out = {
      segment: id,
      member: matched && enough,
      reason: !matched ? 'no-match' : enough ? 'match' : 'insufficient-evidence',
      conditions: st.conditions,
      signals,
      purposes,
    };
  }
  cache.set(id, out);
  return out;
}

/**
 * Evaluates every segment of the catalog (dependencies first, each once).
 * @returns explanations by segment id, in the catalog's topological order
 */
export function evaluateAll(catalog: Catalog, input: EvaluationInput): Map<string, Explanation> {
  const cache = new Map<string, Explanation>();
  return new Map(catalog.segments.map((s) => [s.id, evaluateSegment(catalog, s.id, input, cache)]));
}

/**
 * The earliest time at or after `input.now` at which segment `id`'s explanation may differ from
 * the one evaluated at `input.now`, with everything but time unchanged (rollups, consent,
 * declared interests): a stamp entering (`t`) or leaving a window (`t + within`), a lastSeen or
 * firstSeen threshold, a rollup's `expiresAt`. Conservative (never later than the real change);
 * `input.now` when the segment reads the visitor context (hour, weekday: always re-evaluated);
 * Infinity when nothing time-dependent is read. Re-evaluate once `now >= nextChange`.
 */
export function nextChange(catalog: Catalog, id: string, input: EvaluationInput, seen = new Set<string>()): number {
  const s = catalog.get(id);
  if (!s || seen.has(id)) return Infinity;
  seen.add(id);
  const { now } = input;
  let next = Infinity;
  const at = (c: number) => {
    if (c >= now && c < next) next = c;
  };
  const walk = (r: CompiledRule): void => {
    switch (r.kind) {
      case 'all':
      case 'any':
        return r.rules.forEach(walk);
      case 'not':
        return walk(r.rule);
      case 'context':
        return void (next = Math.min(next, now));
      case 'segment':
        return void (next = Math.min(next, nextChange(catalog, r.segment, input, seen)));
      case 'declared':
        return;
    }
    const spans = [r.within, r.lastSeen?.within, r.lastSeen?.olderThan, r.firstSeen?.olderThan].filter((d): d is number => d !== undefined);
    for (const x of ofEvent(input, r.event)) {
      if (!matches(x, r)) continue;
      const expires = (x as { expiresAt?: unknown }).expiresAt;
      if (typeof expires === 'number') at(expires);
      forStamps(x, Infinity, (t) => {
        at(t);
        for (const d of spans) at(t + d);
      });
    }
  };
  walk(s.rule);
  return next;
}
