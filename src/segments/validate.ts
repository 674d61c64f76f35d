// Validation of `options.segments` into a compiled Catalog. Every error names its path.
import { CohortkitError } from '../errors';
import type { ContextKind, Scalar } from '../types';
import { createCatalog, type SegmentDraft } from './catalog';
import { parseDuration } from './duration';
import type { Catalog, CompiledEventRule, CompiledPredicate, CompiledRule } from './types';

/** Segment (and purpose, space, cohort) ids. */
export const ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** Event names and property keys. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
const LANG = /^[a-z]{2,3}(-[a-z0-9]{1,8})*$/;
const MAX_DEPTH = 32;
const KINDS = ['all', 'any', 'not', 'event', 'context', 'segment'];
const SEGMENT_KEYS = ['id', 'version', 'description', 'goal', 'purposes', 'sensitive', 'minEvidence', 'rule'];
const EVENT_KEYS = ['event', 'where', 'count', 'within', 'lastSeen', 'firstSeen'];
const CONTEXTS: Record<ContextKind, string[] | number | RegExp> = {
  device: ['mobile', 'tablet', 'desktop'],
  channel: ['direct', 'search', 'social', 'email', 'paid', 'referral'],
  referrer: ['none', 'internal', 'search', 'social', 'external'],
  hour: 23,
  weekday: 6,
  language: LANG,
};

type Obj = Record<string, unknown>;
interface Acc { refs: Array<{ id: string; path: string }>; events: CompiledEventRule[] }

const fail = (path: string, what: string, cause?: unknown): never => {
  throw new CohortkitError('invalid-options', `${path}: ${what}`, cause);
};

function read(o: unknown, k: string | number, path: string): unknown {
  try {
    return (o as Obj)[k];
  } catch (e) {
    return fail(path, 'could not be read', e);
  }
}

function isPlainObject(v: unknown): v is Obj {
  try {
    const proto = typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.getPrototypeOf(v) : 0;
    return proto === Object.prototype || proto === null;
  } catch {
    return false;
  }
}

function obj(v: unknown, path: string, allowed?: string[]): Obj {
  if (!isPlainObject(v)) fail(path, 'expected an object');
  if (allowed) for (const k of keys(v as Obj, path)) if (!allowed.includes(k)) fail(`${path}.${k}`, 'unknown key');
  return v as Obj;
}

function keys(o: Obj, path: string): string[] {
  try {
    return Object.keys(o);
  } catch (e) {
    return fail(path, 'could not be read', e);
  }
}

function list(v: unknown, path: string, nonEmpty: boolean): unknown[] {
  if (!Array.isArray(v)) fail(path, nonEmpty ? 'expected a non-empty array' : 'expected an array');
  const n = read(v, 'length', path) as number;
  if (nonEmpty && !n) fail(path, 'expected a non-empty array');
  return Array.from({ length: n }, (_, i) => read(v, i, `${path}[${i}]`));
}

const orDefault = (v: unknown, d: unknown) => (v === undefined ? d : v);

const isScalar = (v: unknown): v is Scalar =>
  typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

function duration(v: unknown, path: string): number {
  return parseDuration(v) ?? fail(path, 'expected a duration like "7d"');
}

function range(v: unknown, path: string, counts: boolean): { gte?: number; lte?: number } {
  const o = obj(v, path, ['gte', 'lte']);
  const out: { gte?: number; lte?: number } = {};
  for (const k of ['gte', 'lte'] as const) {
    const x = read(o, k, `${path}.${k}`);
    if (x === undefined) continue;
    if (typeof x !== 'number' || !(counts ? Number.isInteger(x) && x >= 0 : Number.isFinite(x)))
      fail(`${path}.${k}`, counts ? 'expected a non-negative integer' : 'expected a finite number');
    out[k] = x as number;
  }
  if (out.gte === undefined && out.lte === undefined) fail(path, 'expected gte and/or lte');
  if (out.gte! > out.lte!) fail(path, 'expected gte <= lte');
  return out;
}

function predicate(v: unknown, path: string): CompiledPredicate {
  if (isScalar(v)) return { eq: v };
  const o = isPlainObject(v) ? v : fail(path, 'expected a string, finite number, boolean, {in} or {gte, lte}');
  if (!keys(o, path).includes('in')) return range(o, path, false);
  obj(o, path, ['in']);
  const xs = list(read(o, 'in', `${path}.in`), `${path}.in`, true);
  xs.forEach((x, i) => isScalar(x) || fail(`${path}.in[${i}]`, 'expected a string, finite number or boolean'));
  return { in: xs as Scalar[] };
}

/** `{ within }` / `{ olderThan }`: exactly one of `allowed`, a duration. */
function recency(v: unknown, path: string, allowed: string[]) {
  const o = obj(v, path, allowed);
  const set = allowed.filter((k) => read(o, k, `${path}.${k}`) !== undefined);
  if (set.length !== 1) fail(path, `expected ${allowed.join(' or ')}`);
  const k = set[0];
  const text = o[k] as string;
  return { [k]: duration(text, `${path}.${k}`), text };
}

function eventRule(o: Obj, rel: string, path: string, acc: Acc): CompiledEventRule {
  const get = (k: string) => read(o, k, `${path}.${k}`);
  const event = get('event');
  if (typeof event !== 'string' || !NAME_PATTERN.test(event)) fail(`${path}.event`, 'expected an event name like "page_view"');
  const r: CompiledEventRule = { kind: 'event', path: rel, event: event as string, where: [] };
  const [where, count, within, last, first] = ['where', 'count', 'within', 'lastSeen', 'firstSeen'].map(get);
  if (where !== undefined) {
    const wp = `${path}.where`;
    const w = obj(where, wp);
    for (const k of keys(w, wp)) {
      if (!NAME_PATTERN.test(k)) fail(`${wp}.${k}`, 'expected a property key like "plan"');
      r.where.push([k, predicate(read(w, k, `${wp}.${k}`), `${wp}.${k}`)]);
    }
  }
  if (count !== undefined) r.count = range(count, `${path}.count`, true);
  if (within !== undefined) (r.within = duration(within, `${path}.within`)), (r.withinText = within as string);
  if (last !== undefined) r.lastSeen = recency(last, `${path}.lastSeen`, ['within', 'olderThan']);
  if (first !== undefined) r.firstSeen = recency(first, `${path}.firstSeen`, ['olderThan']) as CompiledEventRule['firstSeen'];
  acc.events.push(r);
  return r;
}

function rule(v: unknown, rel: string, base: string, acc: Acc, depth: number): CompiledRule {
  const path = `${base}.${rel}`;
  if (depth > MAX_DEPTH) fail(path, 'nested too deeply');
  const o = obj(v, path);
  const ks = keys(o, path);
  const kinds = ks.filter((k) => KINDS.includes(k));
  if (kinds.length > 1) fail(path, `expected one rule kind, got ${kinds.join(' and ')}`);
  const kind = kinds[0];
  if (!kind) fail(ks.length ? `${path}.${ks[0]}` : path, `${ks.length ? 'unknown key, e' : 'e'}xpected one of ${KINDS.join(', ')}`);
  obj(o, path, kind === 'event' ? EVENT_KEYS : kind === 'context' ? ['context', 'in'] : [kind]);
  const get = (k: string) => read(o, k, `${path}.${k}`);
  if (kind === 'all' || kind === 'any') {
    const rules = list(get(kind), `${path}.${kind}`, true);
    return { kind, path: rel, rules: rules.map((r, i) => rule(r, `${rel}.${kind}[${i}]`, base, acc, depth + 1)) };
  }
  if (kind === 'not') return { kind, path: rel, rule: rule(get('not'), `${rel}.not`, base, acc, depth + 1) };
  if (kind === 'segment') {
    const id = get('segment');
    if (typeof id !== 'string' || !ID_PATTERN.test(id)) fail(`${path}.segment`, 'expected a segment id');
    acc.refs.push({ id: id as string, path: `${path}.segment` });
    return { kind, path: rel, segment: id as string };
  }
  if (kind === 'context') {
    const c = get('context') as ContextKind;
    const spec = Object.prototype.hasOwnProperty.call(CONTEXTS, c)
      ? CONTEXTS[c]
      : fail(`${path}.context`, `expected one of ${Object.keys(CONTEXTS).join(', ')}`);
    const xs = list(get('in'), `${path}.in`, true);
    const what =
      spec instanceof RegExp
        ? 'expected a lowercase language tag like "en" or "en-us"'
        : typeof spec === 'number'
          ? `expected an integer 0-${spec}`
          : `expected one of ${spec.join(', ')}`;
    xs.forEach((x, i) => {
      const ok =
        spec instanceof RegExp
          ? typeof x === 'string' && spec.test(x)
          : typeof spec === 'number'
            ? Number.isInteger(x) && (x as number) >= 0 && (x as number) <= spec
            : spec.includes(x as string);
      if (!ok) fail(`${path}.in[${i}]`, what);
    });
    return { kind, path: rel, context: c, in: xs as Scalar[] };
  }
  return eventRule(o, rel, path, acc);
}

function segment(v: unknown, path: string, declared: string[], seen: Set<string>, refs: Map<string, Acc['refs']>): SegmentDraft {
  const o = obj(v, path, SEGMENT_KEYS);
  const get = (k: string) => read(o, k, `${path}.${k}`);
  const id = get('id');
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) fail(`${path}.id`, 'expected an id matching /^[a-z0-9][a-z0-9_-]{0,63}$/');
  if (seen.has(id as string)) fail(`${path}.id`, `duplicate id "${id}"`);
  seen.add(id as string);
  const description = get('description');
  if (typeof description !== 'string' || !description.trim()) fail(`${path}.description`, 'expected a non-empty string');
  const version = orDefault(get('version'), 1);
  if (!Number.isInteger(version) || (version as number) < 1) fail(`${path}.version`, 'expected a positive integer');
  const goal = get('goal');
  if (goal !== undefined && typeof goal !== 'string') fail(`${path}.goal`, 'expected a string');
  const sensitive = orDefault(get('sensitive'), false);
  if (typeof sensitive !== 'boolean') fail(`${path}.sensitive`, 'expected a boolean');
  const minEvidence = orDefault(get('minEvidence'), 0);
  if (!Number.isInteger(minEvidence) || (minEvidence as number) < 0) fail(`${path}.minEvidence`, 'expected a non-negative integer');
  const pp = `${path}.purposes`;
  const rawPurposes = get('purposes');
  const purposes =
    rawPurposes === undefined
      ? declared.includes('personalization')
        ? ['personalization']
        : fail(pp, 'expected declared purposes (the default "personalization" is not declared)')
      : list(rawPurposes, pp, false).map((p, i) =>
          typeof p === 'string' && declared.includes(p) ? p : fail(`${pp}[${i}]`, `expected a declared purpose, got ${JSON.stringify(p)}`),
        );
  const acc: Acc = { refs: [], events: [] };
  const r = rule(get('rule'), 'rule', path, acc, 0);
  if (acc.events.length && !purposes.length) fail(pp, 'expected at least one purpose for a segment with event conditions');
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
    events: acc.events,
  };
}

function checkReferences(refs: Map<string, Acc['refs']>): void {
  for (const rs of refs.values()) for (const r of rs) if (!refs.has(r.id)) fail(r.path, `unknown segment "${r.id}"`);
  const state = new Map<string, number>(); // 1 visiting, 2 done
  const stack: string[] = [];
  const visit = (id: string) => {
    state.set(id, 1);
    stack.push(id);
    for (const r of refs.get(id)!) {
      if (state.get(r.id) === 1) fail(r.path, `reference cycle ${[...stack.slice(stack.indexOf(r.id)), r.id].join(' -> ')}`);
      if (!state.has(r.id)) visit(r.id);
    }
    stack.pop();
    state.set(id, 2);
  };
  for (const id of refs.keys()) if (!state.has(id)) visit(id);
}

/**
 * Validates segment definitions completely and compiles them into a Catalog.
 * @param input the value of `options.segments` (undefined means no segments)
 * @param opts.purposes the declared purpose ids
 * @throws CohortkitError `invalid-options`, message `<path>: <what was expected>`
 */
export function compileSegments(input: unknown, opts: { purposes: string[] }): Catalog {
  try {
    const seen = new Set<string>();
    const refs = new Map<string, Acc['refs']>();
    const drafts =
      input === undefined ? [] : list(input, 'segments', false).map((s, i) => segment(s, `segments[${i}]`, opts.purposes, seen, refs));
    checkReferences(refs);
    return createCatalog(drafts);
  } catch (e) {
    if (e instanceof CohortkitError) throw e;
    return fail('segments', 'could not be read', e);
  }
}
