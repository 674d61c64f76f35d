import { o as obj, w as want, l as list, f as fail, n as newId, a as oneOf, T as TEXT, P as POSITIVE, b as STRING, B as BOOL, I as ID, r as read, N as NON_NEGATIVE_INT, c as POSITIVE_INT, k as keys, d as NAME, i as isScalar, e as isPlainObject, g as SCALAR } from './validate-aI8U5EBI.js';

/** `c` (a check or a schema) when present; absent (undefined) gives `def`. */
const opt = (c, def) => (v, p, code, out) => v === undefined ? def : typeof c == 'function' ? c(v, p, code, out) : want(v, c, p, code);
/** `c`, absent included (then its message is the error). */
const req = (c) => (v, p, code) => want(v, c, p, code);
/**
 * A plain object holding only the keys of `fields` (listed as `keys` in the unknown-key message
 * when given), each key read once, then each field walked in the order of `fields` at
 * `<path>.<key>` (`<key>` at the root, path ''). `then(out, path, o)` maps the result; `o` is the
 * copy as read (for presence checks).
 */
const shape = (fields, keys, then) => (v, path, code) => {
    const o = obj(v, path, keys || Object.keys(fields), code);
    const out = {};
    for (const k in fields) {
        const r = fields[k](o[k], path ? `${path}.${k}` : k, code, out, o);
        if (r !== undefined)
            out[k] = r;
    }
    return then ? then(out, path, o) : out;
};
/** An array of at least `min` items, read once, then each walked at `<path>[i]`. */
const arr = (item, min) => (v, path, code, out) => list(v, path, min, code).map((x, i) => item(x, `${path}[${i}]`, code, out));
/**
 * Purpose ids, each one of `declared`, deduplicated (`purposes`, `interests[i].purposes`,
 * `segments[i].purposes`); absent gives ['personalization'] if that is declared.
 */
const purposeList = (declared, min) => (v, p, code) => v === undefined
    ? declared.includes('personalization')
        ? ['personalization']
        : fail(p, 'the default "personalization" is not declared')
    : [
        ...new Set(arr((x, q) => (typeof x == 'string' && declared.includes(x) ? x : fail(q, `expected a declared purpose, got ${JSON.stringify(x)}`)), min)(v, p, code)),
    ];
/** An id (ID) not yet in `seen` (then added): `<path>: duplicate id "<v>"` otherwise. */
const uniqueId = (seen) => (v, p) => newId(seen, v, p);

const KEYS = ['purposes', 'policyVersion', 'segments', 'cohorts', 'report', 'retentionDays', 'storage', 'namespace', 'respectGPC', 'now', 'interop', 'persistStorage', 'interests', 'encryptAtRest'];
/**
 * Validates the options that every client needs; domain options are validated by their domains.
 * @param input the `createClient` options (undefined means all defaults)
 * @throws CohortkitError `invalid-options`, message `<path>: <what was expected>`
 */
function normalizeOptions(input) {
    const purposeIds = new Set();
    const interestIds = new Set();
    return shape({
        policyVersion: opt([(v) => typeof v == 'string' && v, 'expected a non-empty string']),
        storage: opt(oneOf(['indexeddb', 'memory']), 'indexeddb'),
        namespace: opt(ID, 'default'),
        respectGPC: opt(BOOL, true),
        persistStorage: opt(BOOL, false),
        encryptAtRest: opt(BOOL, false),
        now: opt([(v) => typeof v == 'function', 'expected a function returning ms since epoch']),
        retentionDays: opt(POSITIVE, 30),
        // A purpose is an id or { id, description, retentionDays } (kept as read); defaults: personalization, measurement.
        purposes: opt(arr((v, p) => {
            const string = typeof v == 'string';
            const o = string ? { id: v } : shape({ description: opt(STRING), retentionDays: opt(POSITIVE) }, ['id', 'description', 'retentionDays'], (_, __, o) => o)(v, p);
            newId(purposeIds, o.id, string ? p : `${p}.id`, p);
            return o;
        }, 1), [{ id: 'personalization' }, { id: 'measurement' }]),
        // `interests`: ids like segment ids (unique), a non-empty label, declared purposes (default ['personalization']).
        interests: (v, p, c, out) => v === undefined ? [] : arr(shape({ id: uniqueId(interestIds), label: req(TEXT), purposes: purposeList(out.purposes.map((x) => x.id), 1) }))(v, p),
    }, KEYS, (out, _, raw) => {
        const now = out.now;
        return { ...out, policyVersion: out.policyVersion, now: now ? () => Number(now()) : () => Date.now(), raw };
    })(input ?? {}, '');
}

const UNIT = { m: 60_000, h: 3_600_000, d: 86_400_000 };
/**
 * Parses a duration such as "30m", "12h", "7d" or "1.5h" into milliseconds.
 * Decimal fractions are allowed ("1.5h", "0.5d"); signs, exponents, spaces, other units and zero are not.
 * @param s the text to parse
 * @returns the duration in ms, or undefined if `s` is not a positive duration
 */
function parseDuration(s) {
    const m = typeof s == 'string' ? /^(\d+(?:\.\d+)?)([mhd])$/.exec(s) : null;
    const ms = m ? +m[1] * UNIT[m[2]] : 0;
    return ms > 0 && ms < Infinity ? ms : undefined;
}
/** `parseDuration(v)`, or fails with `<path>: expected a duration like "7d"`. */
const duration = (v, path, code) => parseDuration(v) ?? fail(path, 'expected a duration like "7d"', code);

const uniq$1 = (xs) => [...new Set(xs)];
/**
 * Builds a Catalog from validated, acyclic segment drafts whose references all exist.
 * @param drafts segments in declaration order (the order kept among independent segments)
 */
function createCatalog(drafts) {
    const drafted = new Map(drafts.map((d) => [d.id, d]));
    const byId = new Map();
    const segments = [];
    const visit = (d) => {
        let s = byId.get(d.id);
        if (s)
            return s;
        const refs = d.refs.map((r) => visit(drafted.get(r)));
        s = {
            ...d,
            effectivePurposes: uniq$1([...d.purposes, ...refs.flatMap((r) => r.effectivePurposes)]),
            sensitive: d.sensitive || refs.some((r) => r.sensitive),
            lineage: uniq$1([...d.events, ...refs.flatMap((r) => r.lineage)]),
        };
        byId.set(d.id, s);
        segments.push(s);
        return s;
    };
    drafts.forEach(visit);
    const reads = new Map();
    const direct = new Map(); // event -> ids of segments reading it directly
    const referrers = new Map(); // id -> ids of segments referencing it directly
    for (const s of segments) {
        for (const e of s.events) {
            const keys = reads.get(e.event) ?? new Set();
            e.where.forEach(([k]) => keys.add(k));
            reads.set(e.event, keys);
            direct.set(e.event, uniq$1([...(direct.get(e.event) ?? []), s.id]));
        }
        for (const r of s.refs)
            referrers.set(r, [...(referrers.get(r) ?? []), s.id]);
    }
    return {
        segments,
        reads,
        has: (id) => byId.has(id),
        get: (id) => byId.get(id),
        segmentsReadingEvent(event) {
            const hit = new Set(direct.get(event));
            for (const id of hit)
                referrers.get(id)?.forEach((r) => hit.add(r)); // a Set iterates over late additions
            return segments.filter((s) => hit.has(s.id)).map((s) => s.id);
        },
        purposesForEvent(event) {
            const lists = (direct.get(event) ?? []).map((id) => byId.get(id).effectivePurposes);
            return uniq$1(lists.map((l) => l.join(' '))).map((k) => (k ? k.split(' ') : []));
        },
    };
}

const MAX_DEPTH = 32;
const KINDS = ['all', 'any', 'not', 'event', 'context', 'segment', 'declared'];
const upTo = (n) => [(x) => Number.isInteger(x) && x >= 0 && x <= n, `expected an integer 0-${n}`];
const CONTEXTS = {
    device: oneOf(['mobile', 'tablet', 'desktop']),
    channel: oneOf(['direct', 'search', 'social', 'email', 'paid', 'referral']),
    referrer: oneOf(['none', 'internal', 'search', 'social', 'external']),
    hour: upTo(23),
    weekday: upTo(6),
    // BCP 47, compared case-insensitively: 'en', 'en-US', 'EN', 'zh-Hant-TW' (stored lowercase).
    language: [(x) => typeof x == 'string' && /^[a-z]{2,3}(-[a-z0-9]{1,8})*$/i.test(x), 'expected a language tag like "en" or "en-US"'],
};
/** `{ gte, lte }`: at least one, gte <= lte; counts are non-negative integers, values finite. */
const range = (c) => shape({ gte: opt(c), lte: opt(c) }, 0, (r, p) => r.gte === undefined && r.lte === undefined ? fail(p, 'expected gte and/or lte') : r.gte > r.lte ? fail(p, 'expected gte <= lte') : r);
const values = range([Number.isFinite, 'expected a finite number']);
const oneIn = shape({ in: arr(req([isScalar, SCALAR]), 1) });
/** A `where` value: a scalar (`eq`), `{ in }` or `{ gte, lte }`. */
const predicate = (v, p) => isScalar(v)
    ? { eq: v }
    : isPlainObject(v)
        ? (keys(v, p).includes('in') ? oneIn : values)(v, p)
        : fail(p, 'expected a string, finite number, boolean, {in} or {gte, lte}');
/** `{ within }` / `{ olderThan }`: exactly one of `allowed`, a duration. */
const recency = (allowed) => (v, path) => {
    const o = obj(v, path, allowed);
    const set = allowed.filter((k) => o[k] !== undefined);
    if (set.length != 1)
        fail(path, `expected ${allowed.join(' or ')}`);
    const k = set[0];
    return { [k]: duration(o[k], `${path}.${k}`), text: o[k] };
};
const event = {
    event: req(NAME),
    where: (w, wp) => w === undefined
        ? []
        : keys(w, wp).map((k) => {
            const p = `${wp}.${k}`;
            want(k, NAME, p);
            return [k, predicate(read(() => w[k], p), p)];
        }),
    count: opt(range(NON_NEGATIVE_INT)),
    within: opt(duration),
    lastSeen: opt(recency(['within', 'olderThan'])),
    firstSeen: opt(recency(['olderThan'])),
};
/** One segment: its rule walked with the references, events and declared interests it reads. */
function segment(declared, interests, seen, refs) {
    return (v, path) => {
        const at = path.length + 1;
        const acc = { refs: [], events: [], declared: [] };
        const rule = (d) => (v, path) => {
            if (d > MAX_DEPTH)
                fail(path, 'nested too deeply');
            const ks = keys(v, path);
            const kinds = ks.filter((k) => KINDS.includes(k));
            if (kinds.length > 1)
                fail(path, `expected one rule kind, got ${kinds.join(' and ')}`);
            const kind = kinds[0];
            // No kind among the keys: the first key is reported as unknown.
            if (!kind)
                return ks.length ? obj(v, path, KINDS) : fail(path, `expected one of ${KINDS.join(', ')}`);
            const sub = rule(d + 1);
            const r = (fields, then) => shape(fields, 0, (o, _, raw) => ({ kind, path: path.slice(at), ...then(o, raw) }))(v, path);
            if (kind == 'all' || kind == 'any')
                return r({ [kind]: arr(sub, 1) }, (o) => ({ rules: o[kind] }));
            if (kind == 'not')
                return r({ not: sub }, (o) => ({ rule: o.not }));
            if (kind == 'segment')
                return r({ segment: req(ID) }, (o) => (acc.refs.push({ id: o.segment, path: `${path}.segment` }), o));
            if (kind == 'declared')
                return r({ declared: (x, p) => (interests.includes(want(x, ID, p)) ? (acc.declared.push(x), x) : fail(p, `unknown interest "${x}" (not in options.interests)`)) }, (o) => ({ interest: o.declared }));
            if (kind == 'context')
                return r({ context: req(oneOf(Object.keys(CONTEXTS))), in: (x, p, c, o) => arr(req(CONTEXTS[o.context]), 1)(x, p) }, (o) => ({
                    context: o.context,
                    // Language tags are matched lowercase (the visitor's too); other context values as written.
                    in: o.context == 'language' ? [...new Set(o.in.map((x) => x.toLowerCase()))] : o.in,
                }));
            const e = r(event, (o, raw) => (o.within === undefined ? o : { ...o, withinText: raw.within }));
            acc.events.push(e);
            return e;
        };
        return shape({
            id: uniqueId(seen),
            description: req(TEXT),
            version: opt(POSITIVE_INT, 1),
            goal: opt(STRING),
            sensitive: opt(BOOL, false),
            minEvidence: opt(NON_NEGATIVE_INT, 0),
            purposes: purposeList(declared),
            rule: rule(0),
        }, ['id', 'version', 'description', 'goal', 'purposes', 'sensitive', 'minEvidence', 'rule'], (s, p) => {
            if (!s.purposes.length && (acc.events.length || acc.declared.length))
                fail(`${p}.purposes`, `expected a purpose (the rule reads ${acc.events.length ? 'events' : 'declared interests'})`);
            refs.set(s.id, acc.refs);
            return { ...s, refs: [...new Set(acc.refs.map((x) => x.id))], declared: [...new Set(acc.declared)], events: acc.events };
        })(v, path);
    };
}
function checkReferences(refs) {
    const state = new Map(); // 1 visiting, 2 done
    const stack = [];
    const visit = (id) => {
        state.set(id, 1);
        stack.push(id);
        for (const r of refs.get(id)) {
            if (state.get(r.id) == 1)
                fail(r.path, `reference cycle ${[...stack.slice(stack.indexOf(r.id)), r.id].join(' -> ')}`);
            if (!state.has(r.id))
                visit(r.id);
        }
        stack.pop();
        state.set(id, 2);
    };
    for (const rs of refs.values())
        for (const r of rs)
            if (!refs.has(r.id))
                fail(r.path, `unknown segment "${r.id}"`);
    for (const id of refs.keys())
        if (!state.has(id))
            visit(id);
}
/**
 * Validates segment definitions completely and compiles them into a Catalog.
 * @param input the value of `options.segments` (undefined means no segments)
 * @param opts.purposes the declared purpose ids
 * @param opts.interests the declared interest ids (`{ declared }` rules may name only these)
 * @throws CohortkitError `invalid-options`, message `<path>: <what was expected>`
 */
function compileSegments(input, opts) {
    return read(() => {
        const refs = new Map();
        const drafts = input === undefined ? [] : arr(segment(opts.purposes, opts.interests ?? [], new Set(), refs))(input, 'segments');
        checkReferences(refs);
        return createCatalog(drafts);
    }, 'segments');
}

const uniq = (xs) => [...new Set(xs)];
/** Context kinds a rule reads itself (not through references). */
function contextKinds(r, out = []) {
    if (r.kind == 'context')
        out.push(r.context);
    else if (r.kind == 'not')
        contextKinds(r.rule, out);
    else if (r.kind == 'all' || r.kind == 'any')
        r.rules.forEach((x) => contextKinds(x, out));
    return out;
}
/**
 * Days a signal stored under `purposes` is kept, exactly as the client computes it: the smallest
 * of the default and each purpose's own `retentionDays`.
 */
function retentionFor(policy, purposes) {
    const own = new Map(policy.purposes.map((p) => [p.id, p.retentionDays ?? policy.retentionDays]));
    return Math.min(policy.retentionDays, ...purposes.map((p) => own.get(p) ?? policy.retentionDays));
}
/** The catalog's segments (in the compiled, topological order) with everything they read and who reports them. */
function catalogEntries(catalog, spaces, policy) {
    const done = new Map();
    for (const s of catalog.segments) {
        const refs = s.refs.map((id) => done.get(id));
        const events = uniq(s.lineage.map((e) => e.event));
        // Declared interests are stored too (under their own purposes): such a segment is not context-only.
        const declared = s.declared.length > 0 || refs.some((r) => r.declared);
        // A signal read directly is kept under this segment's purposes; a referenced segment's signals under its own.
        const days = Math.max(s.events.length ? retentionFor(policy, s.effectivePurposes) : 0, ...refs.map((r) => r.days));
        const entry = {
            id: s.id,
            version: s.version,
            description: s.description,
            ...(s.goal === undefined ? {} : { goal: s.goal }),
            purposes: [...s.effectivePurposes],
            sensitive: s.sensitive,
            contextOnly: !events.length && !declared,
            retentionDays: days,
            reads: events.map((event) => ({ event, props: [...(catalog.reads.get(event) ?? [])].sort() })),
            references: [...s.refs],
            spaces: spaces.filter((sp) => sp.cohorts.some((c) => c.segment == s.id)).map((sp) => sp.id),
            context: uniq([...contextKinds(s.rule), ...refs.flatMap((r) => r.entry.context)]),
            minEvidence: s.minEvidence,
        };
        done.set(s.id, { entry, days, declared });
    }
    return catalog.segments.map((s) => done.get(s.id).entry);
}
/** The cohort spaces as documented (copies: the caller may keep or change them). */
const catalogSpaces = (spaces) => spaces.map(({ id, version, description, k, cohorts, fallback, purposes }) => ({
    id,
    version,
    description,
    k,
    cohorts: cohorts.map((c) => ({ ...c })),
    fallback,
    purposes: [...purposes],
}));

export { arr as a, catalogEntries as b, compileSegments as c, duration as d, catalogSpaces as e, normalizeOptions as n, opt as o, parseDuration as p, req as r, shape as s, uniqueId as u };
//# sourceMappingURL=entries-RiBf5myd.js.map
