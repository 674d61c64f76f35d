// Validation of `options.segments` into a compiled Catalog. Every error names its path.
import type { ContextKind, Scalar } from '../types';
import {
  BOOL,
  ID,
  NAME,
  NON_NEGATIVE_INT,
  POSITIVE_INT,
  SCALAR,
  STRING,
  TEXT,
  check,
  fail,
  isPlainObject,
  isScalar,
  keys,
  list,
  obj,
  read,
  newId,
  want,
  type Check,
  type Obj,
} from '../validate';
import { createCatalog, type SegmentDraft } from './catalog';
import { duration } from './duration';
import type { Catalog, CompiledEventRule, CompiledPredicate, CompiledRule } from './types';

export { ID_PATTERN, NAME_PATTERN } from '../validate';

const MAX_DEPTH = 32;
const FINITE: Check = [Number.isFinite, 'expected a finite number'];
const KINDS = ['all', 'any', 'not', 'event', 'context', 'segment', 'declared'];
const EVENT_KEYS = ['event', 'where', 'count', 'within', 'lastSeen', 'firstSeen'];
const CONTEXTS: Record<ContextKind, string[] | number | RegExp> = {
  device: ['mobile', 'tablet', 'desktop'],
  channel: ['direct', 'search', 'social', 'email', 'paid', 'referral'],
  referrer: ['none', 'internal', 'search', 'social', 'external'],
  hour: 23,
  weekday: 6,
  // BCP 47, compared case-insensitively: 'en', 'en-US', 'EN', 'zh-Hant-TW' (stored lowercase).
  language: /^[a-z]{2,3}(-[a-z0-9]{1,8})*$/i,
};

type Ref = { id: string; path: string };
interface Acc { refs: Ref[]; events: CompiledEventRule[]; declared: string[]; interests: string[] }

function range(v: unknown, path: string, counts?: boolean): { gte?: number; lte?: number } {
  const o = obj(v, path, ['gte', 'lte']);
  const out: { gte?: number; lte?: number } = {};
  for (const k of ['gte', 'lte'] as const) {
    const x = o[k];
    if (x === undefined) continue;
    out[k] = want(x, counts ? NON_NEGATIVE_INT : FINITE, `${path}.${k}`);
  }
  if (out.gte === undefined && out.lte === undefined) fail(path, 'expected gte and/or lte');
  if (out.gte! > out.lte!) fail(path, 'expected gte <= lte');
  return out;
}

function predicate(v: unknown, path: string): CompiledPredicate {
  if (isScalar(v)) return { eq: v };
  if (!isPlainObject(v)) fail(path, 'expected a string, finite number, boolean, {in} or {gte, lte}');
  if (!keys(v, path).includes('in')) return range(v, path);
  const xs = list(obj(v, path, ['in']).in, `${path}.in`, 1);
  xs.forEach((x, i) => isScalar(x) || fail(`${path}.in[${i}]`, SCALAR));
  return { in: xs as Scalar[] };
}

/** `{ within }` / `{ olderThan }`: exactly one of `allowed`, a duration. */
function recency(v: unknown, path: string, allowed: string[]) {
  const o = obj(v, path, allowed);
  const set = allowed.filter((k) => o[k] !== undefined);
  if (set.length != 1) fail(path, `expected ${allowed.join(' or ')}`);
  const k = set[0];
  return { [k]: duration(o[k], `${path}.${k}`), text: o[k] as string };
}

function eventRule(o: Obj, rel: string, path: string, acc: Acc): CompiledEventRule {
  const { event, where, count, within, lastSeen, firstSeen } = o;
  const r: CompiledEventRule = { kind: 'event', path: rel, event: want(event, NAME, `${path}.event`), where: [] };
  if (where !== undefined) {
    const wp = `${path}.where`;
    for (const k of keys(where, wp)) {
      const p = `${wp}.${k}`;
      want(k, NAME, p);
      r.where.push([k, predicate(read(() => (where as Obj)[k], p), p)]);
    }
  }
  if (count !== undefined) r.count = range(count, `${path}.count`, true);
  if (within !== undefined) (r.within = duration(within, `${path}.within`)), (r.withinText = within as string);
  if (lastSeen !== undefined) r.lastSeen = recency(lastSeen, `${path}.lastSeen`, ['within', 'olderThan']);
  if (firstSeen !== undefined) r.firstSeen = recency(firstSeen, `${path}.firstSeen`, ['olderThan']) as CompiledEventRule['firstSeen'];
  acc.events.push(r);
  return r;
}

function contextRule(o: Obj, rel: string, path: string): CompiledRule {
  const c = o.context as ContextKind;
  const names = Object.keys(CONTEXTS);
  const spec = names.includes(c) ? CONTEXTS[c] : fail(`${path}.context`, `expected one of ${names.join(', ')}`);
  const re = spec instanceof RegExp;
  const n = typeof spec == 'number';
  const xs = list(o.in, `${path}.in`, 1);
  xs.forEach((x, i) => {
    if (!(re ? typeof x == 'string' && spec.test(x) : n ? Number.isInteger(x) && (x as number) >= 0 && (x as number) <= spec : spec.includes(x as string)))
      fail(
        `${path}.in[${i}]`,
        re ? 'expected a language tag like "en" or "en-US"' : n ? `expected an integer 0-${spec}` : `expected one of ${spec.join(', ')}`,
      );
  });
  // Language tags are matched lowercase (the visitor's too); other context values as written.
  const values = re ? [...new Set((xs as string[]).map((x) => x.toLowerCase()))] : (xs as Scalar[]);
  return { kind: 'context', path: rel, context: c, in: values };
}

function rule(v: unknown, rel: string, base: string, acc: Acc, depth: number): CompiledRule {
  const path = `${base}.${rel}`;
  if (depth > MAX_DEPTH) fail(path, 'nested too deeply');
  const ks = keys(v, path);
  const kinds = ks.filter((k) => KINDS.includes(k));
  if (kinds.length > 1) fail(path, `expected one rule kind, got ${kinds.join(' and ')}`);
  const kind = kinds[0];
  if (!kind && !ks.length) fail(path, `expected one of ${KINDS.join(', ')}`);
  // No kind among the keys: the first key is reported as unknown.
  const o = obj(v, path, !kind ? KINDS : kind == 'event' ? EVENT_KEYS : kind == 'context' ? ['context', 'in'] : [kind]);
  const sub = (r: unknown, at: string) => rule(r, `${rel}.${at}`, base, acc, depth + 1);
  if (kind == 'all' || kind == 'any') return { kind, path: rel, rules: list(o[kind], `${path}.${kind}`, 1).map((r, i) => sub(r, `${kind}[${i}]`)) };
  if (kind == 'not') return { kind, path: rel, rule: sub(o.not, 'not') };
  if (kind == 'segment') {
    const segment = want(o.segment, ID, `${path}.segment`);
    acc.refs.push({ id: segment, path: `${path}.segment` });
    return { kind, path: rel, segment };
  }
  if (kind == 'declared') {
    const interest = want(o.declared, ID, `${path}.declared`);
    if (!acc.interests.includes(interest)) fail(`${path}.declared`, `unknown interest "${interest}" (not in options.interests)`);
    acc.declared.push(interest);
    return { kind, path: rel, interest };
  }
  return kind == 'context' ? contextRule(o, rel, path) : eventRule(o, rel, path, acc);
}

function segment(v: unknown, path: string, declared: string[], interests: string[], seen: Set<string>, refs: Map<string, Ref[]>): SegmentDraft {
  const o = obj(v, path, ['id', 'version', 'description', 'goal', 'purposes', 'sensitive', 'minEvidence', 'rule']);
  const { id, description, goal, purposes: raw, version = 1, sensitive = false, minEvidence = 0 } = o;
  const at = (k: string) => `${path}.${k}`;
  newId(seen, id, at('id'));
  want(description, TEXT, at('description'));
  check(o, path, { version: POSITIVE_INT, goal: STRING, sensitive: BOOL, minEvidence: NON_NEGATIVE_INT });
  const pp = at('purposes');
  const purposes =
    raw === undefined
      ? declared.includes('personalization')
        ? ['personalization']
        : fail(pp, 'the default "personalization" is not declared')
      : list(raw, pp).map((p, i) =>
          typeof p == 'string' && declared.includes(p) ? p : fail(`${pp}[${i}]`, `expected a declared purpose, got ${JSON.stringify(p)}`),
        );
  const acc: Acc = { refs: [], events: [], declared: [], interests };
  const r = rule(o.rule, 'rule', path, acc, 0);
  if (acc.events.length && !purposes.length) fail(pp, 'expected a purpose (the rule reads events)');
  if (acc.declared.length && !purposes.length) fail(pp, 'expected a purpose (the rule reads declared interests)');
  refs.set(id as string, acc.refs);
  return {
    id: id as string,
    version: version as number,
    description: description as string,
    ...(goal === undefined ? {} : { goal: goal as string }),
    purposes: [...new Set(purposes)],
    sensitive: sensitive as boolean,
    minEvidence: minEvidence as number,
    rule: r,
    refs: [...new Set(acc.refs.map((x) => x.id))],
    declared: [...new Set(acc.declared)],
    events: acc.events,
  };
}

function checkReferences(refs: Map<string, Ref[]>): void {
  const state = new Map<string, number>(); // 1 visiting, 2 done
  const stack: string[] = [];
  const visit = (id: string) => {
    state.set(id, 1);
    stack.push(id);
    for (const r of refs.get(id)!) {
      if (state.get(r.id) == 1) fail(r.path, `reference cycle ${[...stack.slice(stack.indexOf(r.id)), r.id].join(' -> ')}`);
      if (!state.has(r.id)) visit(r.id);
    }
    stack.pop();
    state.set(id, 2);
  };
  for (const rs of refs.values()) for (const r of rs) if (!refs.has(r.id)) fail(r.path, `unknown segment "${r.id}"`);
  for (const id of refs.keys()) if (!state.has(id)) visit(id);
}

/**
 * Validates segment definitions completely and compiles them into a Catalog.
 * @param input the value of `options.segments` (undefined means no segments)
 * @param opts.purposes the declared purpose ids
 * @param opts.interests the declared interest ids (`{ declared }` rules may name only these)
 * @throws CohortkitError `invalid-options`, message `<path>: <what was expected>`
 */
export function compileSegments(input: unknown, opts: { purposes: string[]; interests?: string[] }): Catalog {
  return read(() => {
    const seen = new Set<string>();
    const refs = new Map<string, Ref[]>();
    const drafts = input === undefined ? [] : list(input, 'segments').map((s, i) => segment(s, `segments[${i}]`, opts.purposes, opts.interests ?? [], seen, refs));
    checkReferences(refs);
    return createCatalog(drafts);
  }, 'segments');
}
