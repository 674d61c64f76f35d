// Validation of `options.segments` into a compiled Catalog, declared as schemas (../schema).
// Every error names its path.
import type { ContextKind, Scalar } from '../types';
import { arr, opt, purposeList, req, shape, uniqueId, type Schema } from '../schema';
import {
  BOOL,
  ID,
  NAME,
  NON_NEGATIVE_INT,
  POSITIVE_INT,
  SCALAR,
  STRING,
  TEXT,
  fail,
  isPlainObject,
  isScalar,
  keys,
  list,
  obj,
  read,
  oneOf,
  want,
  type Check,
  type Obj,
} from '../validate';
import { createCatalog, type SegmentDraft } from './catalog';
import { duration } from './duration';
import type { Catalog, CompiledEventRule, CompiledRule } from './types';

export { ID_PATTERN, NAME_PATTERN } from '../validate';

const MAX_DEPTH = 32;
const KINDS = ['all', 'any', 'not', 'event', 'context', 'segment', 'declared'];
const upTo = (n: number): Check => [(x) => Number.isInteger(x) && x >= 0 && x <= n, `expected an integer 0-${n}`];
const CONTEXTS: Record<ContextKind, Check> = {
  device: oneOf(['mobile', 'tablet', 'desktop']),
  channel: oneOf(['direct', 'search', 'social', 'email', 'paid', 'referral']),
  referrer: oneOf(['none', 'internal', 'search', 'social', 'external']),
  hour: upTo(23),
  weekday: upTo(6),
  // BCP 47, compared case-insensitively: 'en', 'en-US', 'EN', 'zh-Hant-TW' (stored lowercase).
  language: [(x) => typeof x == 'string' && /^[a-z]{2,3}(-[a-z0-9]{1,8})*$/i.test(x), 'expected a language tag like "en" or "en-US"'],
};

type Ref = { id: string; path: string };

/** `{ gte, lte }`: at least one, gte <= lte; counts are non-negative integers, values finite. */
const range = (c: Check) =>
  shape({ gte: opt(c), lte: opt(c) }, 0, (r, p) =>
    r.gte === undefined && r.lte === undefined ? fail(p, 'expected gte and/or lte') : r.gte > r.lte ? fail(p, 'expected gte <= lte') : r,
  );
const values = range([Number.isFinite, 'expected a finite number']);
const oneIn = shape({ in: arr(req([isScalar, SCALAR]), 1) });

/** A `where` value: a scalar (`eq`), `{ in }` or `{ gte, lte }`. */
const predicate: Schema = (v, p) =>
  isScalar(v)
    ? { eq: v }
    : isPlainObject(v)
      ? (keys(v, p).includes('in') ? oneIn : values)(v, p)
      : fail(p, 'expected a string, finite number, boolean, {in} or {gte, lte}');

/** `{ within }` / `{ olderThan }`: exactly one of `allowed`, a duration. */
const recency =
  (allowed: string[]): Schema =>
  (v, path) => {
    const o = obj(v, path, allowed);
    const set = allowed.filter((k) => o[k] !== undefined);
    if (set.length != 1) fail(path, `expected ${allowed.join(' or ')}`);
    const k = set[0];
    return { [k]: duration(o[k], `${path}.${k}`), text: o[k] };
  };

const event = {
  event: req(NAME),
  where: (w: unknown, wp: string) =>
    w === undefined
      ? []
      : keys(w, wp).map((k) => {
          const p = `${wp}.${k}`;
          want(k, NAME, p);
          return [k, predicate(read(() => (w as Obj)[k], p), p)];
        }),
  count: opt(range(NON_NEGATIVE_INT)),
  within: opt(duration),
  lastSeen: opt(recency(['within', 'olderThan'])),
  firstSeen: opt(recency(['olderThan'])),
};

/** One segment: its rule walked with the references, events and declared interests it reads. */
function segment(declared: string[], interests: string[], seen: Set<string>, refs: Map<string, Ref[]>): Schema<SegmentDraft> {
  return (v, path) => {
    const at = path.length + 1;
    const acc = { refs: [] as Ref[], events: [] as CompiledEventRule[], declared: [] as string[] };
    const rule =
      (d: number): Schema<CompiledRule> =>
      (v, path) => {
        if (d > MAX_DEPTH) fail(path, 'nested too deeply');
        const ks = keys(v, path);
        const kinds = ks.filter((k) => KINDS.includes(k));
        if (kinds.length > 1) fail(path, `expected one rule kind, got ${kinds.join(' and ')}`);
        const kind = kinds[0];
        // No kind among the keys: the first key is reported as unknown.
        if (!kind) return ks.length ? (obj(v, path, KINDS) as never) : fail(path, `expected one of ${KINDS.join(', ')}`);
        const sub = rule(d + 1);
        const r = (fields: Record<string, Schema>, then: (o: any, raw: Obj) => object) =>
          shape(fields, 0, (o, _, raw) => ({ kind, path: path.slice(at), ...then(o, raw) }))(v, path) as CompiledRule;
        if (kind == 'all' || kind == 'any') return r({ [kind]: arr(sub, 1) }, (o) => ({ rules: o[kind] }));
        if (kind == 'not') return r({ not: sub }, (o) => ({ rule: o.not }));
        if (kind == 'segment') return r({ segment: req(ID) }, (o) => (acc.refs.push({ id: o.segment, path: `${path}.segment` }), o));
        if (kind == 'declared')
          return r(
            { declared: (x, p) => (interests.includes(want(x, ID, p)) ? (acc.declared.push(x as string), x) : fail(p, `unknown interest "${x}" (not in options.interests)`)) },
            (o) => ({ interest: o.declared }),
          );
        if (kind == 'context')
          return r({ context: req(oneOf(Object.keys(CONTEXTS))), in: (x, p, c, o) => arr(req(CONTEXTS[o.context as ContextKind]), 1)(x, p) }, (o) => ({
            context: o.context,
            // Language tags are matched lowercase (the visitor's too); other context values as written.
            in: o.context == 'language' ? [...new Set((o.in as string[]).map((x) => x.toLowerCase()))] : (o.in as Scalar[]),
          }));
        const e = r(event, (o, raw) => (o.within === undefined ? o : { ...o, withinText: raw.within })) as CompiledEventRule;
        acc.events.push(e);
        return e;
      };
    return shape(
      {
        id: uniqueId(seen),
        description: req(TEXT),
        version: opt(POSITIVE_INT, 1),
        goal: opt(STRING),
        sensitive: opt(BOOL, false),
        minEvidence: opt(NON_NEGATIVE_INT, 0),
        purposes: purposeList(declared),
        rule: rule(0),
      },
      ['id', 'version', 'description', 'goal', 'purposes', 'sensitive', 'minEvidence', 'rule'],
      (s, p) => {
        if (!s.purposes.length && (acc.events.length || acc.declared.length))
          fail(`${p}.purposes`, `expected a purpose (the rule reads ${acc.events.length ? 'events' : 'declared interests'})`);
        refs.set(s.id, acc.refs);
        return { ...s, refs: [...new Set(acc.refs.map((x) => x.id))], declared: [...new Set(acc.declared)], events: acc.events };
      },
    )(v, path);
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
    const refs = new Map<string, Ref[]>();
    const drafts = input === undefined ? [] : arr(segment(opts.purposes, opts.interests ?? [], new Set(), refs))(input, 'segments');
    checkReferences(refs);
    return createCatalog(drafts);
  }, 'segments');
}
