import { n as normalizeOptions, c as compileSegments, b as catalogEntries } from './entries-RiBf5myd.js';
import { C as CohortkitError, i as isCohortkitError } from './errors-Cp7kg1GW.js';
import { openDB, deleteDB, unwrap } from 'idb';
import { o as obj, w as want, B as BOOL, a as oneOf, f as fail, d as NAME, k as keys, h as NAME_PATTERN, r as read, i as isScalar, g as SCALAR } from './validate-aI8U5EBI.js';
import './audit-KLGZ8Vqc.js';
import './consent-space-2DJOztdB.js';

/**
 * An error made by a script-tag add-on (which carries its own copy of the class) as this bundle's
 * `CohortkitError`: `instanceof` holds for the page and for our own checks; code, message and
 * cause are kept. Anything else, and in the ESM build every error, is returned as is.
 */
const ownError = (e) => {
    if (!isCohortkitError(e) || e instanceof CohortkitError)
        return e;
    const { code, message, cause } = e;
    return new CohortkitError(code, message, cause);
};
/**
 * A failed add-on load as a `network` error naming what could not be loaded: the script-tag
 * loader's own error as it is, anything else (the ESM build's failed chunk import) wrapped.
 * @param what e.g. `report: private reporting`
 */
const loadError = (e, what) => isCohortkitError(e) ? e : new CohortkitError('network', `${what} could not be loaded`, e);

/**
 * Loads the CMP adapters: a chunk of the ESM build fetched on demand. The script-tag bundle
 * swaps this module for `src/tag/load-adapters.ts` (its add-on file `cohortkit-interop.js`).
 */
const loadAdapters = () => import('./interop-3zzyL85H.js');

/**
 * Starts loading the add-on when `options.interop` is set (the client calls this before opening
 * storage, so the two load in parallel); a site that configures none pays nothing for it.
 * `settle(onInvalid)` validates `interop` with it: an invalid one rejects with its `invalid-options`
 * message (after `onInvalid`). It resolves with `connect(env)`, which connects the configured
 * adapters, or rejects (`network`) when the add-on could not be loaded (the client emits that as
 * `error` and runs without them).
 */
function prepareInterop(raw, purposes) {
    const win = typeof window === 'undefined' ? undefined : window;
    const none = async () => () => { };
    const ready = raw === undefined
        ? Promise.resolve({ off: true })
        : loadAdapters().then((a) => {
            try {
                return { a, v: a.validateInterop(raw, purposes) };
            }
            catch (invalid) {
                return { invalid: ownError(invalid) };
            }
        }, (e) => ({ failed: loadError(e, 'interop: the CMP adapters') }));
    return {
        async settle(onInvalid) {
            const r = await ready;
            if ('invalid' in r)
                throw (onInvalid(), r.invalid);
            if ('off' in r)
                return none;
            if ('failed' in r)
                return () => Promise.reject(r.failed);
            const { a, v } = r;
            return !win || !v || (!v.tcf && !v.consentMode && !v.gpp) ? none : async (env) => a.connectAdapters(v, win, { ...env, onError: (e) => env.onError(ownError(e)) });
        },
    };
}

/** Each weighted timestamp (≤ now) of a rollup, in order: implicit older events sit at `first`. No arrays made (the hot loop). */
function forStamps(x, now, fn) {
    for (const t of x.times)
        if (t <= now)
            fn(t, 1);
    const extra = x.count - x.times.length;
    if (extra > 0 && x.first <= now)
        fn(x.first, extra);
}
/** Whether rollup `x` is one that event rule `r` counts (its event, every `where` met). */
function matches(x, r) {
    return (x.event === r.event &&
        r.where.every(([k, p]) => {
            const v = Object.prototype.hasOwnProperty.call(x.props, k) ? x.props[k] : undefined;
            if (v === undefined)
                return false;
            if ('eq' in p)
                return v === p.eq;
            if ('in' in p)
                return p.in.includes(v);
            return typeof v === 'number' && !(v < p.gte) && !(v > p.lte);
        }));
}
/** The rollups of one event (all of them when the input has no index). */
const ofEvent = (input, event) => input.byEvent ? (input.byEvent.get(event) ?? []) : input.rollups;
function testEvent(r, st) {
    const { now } = st.input;
    const rollups = ofEvent(st.input, r.event);
    const from = r.within ? now - r.within : -Infinity;
    let n = 0;
    let first;
    let last;
    for (const x of rollups)
        if (matches(x, r))
            forStamps(x, now, (t, w) => {
                if (t > from)
                    n += w;
                first = Math.min(first ?? t, t);
                last = Math.max(last ?? t, t);
            });
    st.evidence += n;
    const c = r.count ?? { gte: 1 };
    // What each condition expected is described only when asked (`expected()`: not for a lite evaluation).
    const push = (sub, passed, observed, expected) => {
        if (!st.lite)
            st.conditions.push({ path: `${r.path}.${sub}`, passed, observed, expected: expected() });
        return passed;
    };
    let ok = push('count', !(n < c.gte) && !(n > c.lte), n, () => (r.withinText ? { ...c, within: r.withinText } : c));
    const L = r.lastSeen;
    if (L)
        ok = push('lastSeen', last !== undefined && (L.within ? last >= now - L.within : last < now - L.olderThan), last ?? null, () => (L.within ? { within: L.text } : { olderThan: L.text })) && ok;
    const F = r.firstSeen;
    if (F)
        ok = push('firstSeen', first !== undefined && first < now - F.olderThan, first ?? null, () => ({ olderThan: F.text })) && ok;
    return ok;
}
function test(r, st) {
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
            if (!st.lite)
                st.conditions.push({ path: r.path, passed, observed: lang ?? v, expected: r.in });
            return passed;
        }
        case 'segment': {
            const e = evaluateSegment(st.catalog, r.segment, st.input, st.cache, st.lite);
            if (!st.lite)
                st.conditions.push({ path: r.path, passed: e.member, observed: e.reason, expected: 'match' });
            return e.member;
        }
        case 'declared': {
            const declared = st.input.declared ?? [];
            const passed = declared.includes(r.interest);
            if (!st.lite)
                st.conditions.push({ path: `${r.path}.declared`, passed, observed: [...declared], expected: r.interest });
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
function evaluateSegment(catalog, id, input, cache = new Map(), lite = false) {
    const hit = cache.get(id);
    if (hit)
        return hit;
    const s = catalog.get(id);
    if (!s)
        return { segment: id, member: false, reason: 'unknown-segment', conditions: [], signals: [], purposes: [] };
    const purposes = [...s.effectivePurposes];
    let out;
    if (!purposes.every((p) => input.isGranted(p))) {
        out = { segment: id, member: false, reason: 'no-consent', conditions: [], signals: [], purposes };
    }
    else {
        const st = { catalog, input, cache, conditions: [], evidence: 0, lite };
        const matched = test(s.rule, st);
        const enough = st.evidence >= s.minEvidence;
        if (s.minEvidence && !lite)
            st.conditions.push({ path: 'minEvidence', passed: enough, observed: st.evidence, expected: { gte: s.minEvidence } });
        const signals = lite ? [] : [...new Set(s.lineage.map((r) => r.event))].map((event) => {
            const rules = s.lineage.filter((r) => r.event === event);
            let count = 0;
            let lastSeen;
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
 * The earliest time at or after `input.now` at which segment `id`'s explanation may differ from
 * the one evaluated at `input.now`, with everything but time unchanged (rollups, consent,
 * declared interests): a stamp entering (`t`) or leaving a window (`t + within`), a lastSeen or
 * firstSeen threshold, a rollup's `expiresAt`. Conservative (never later than the real change);
 * `input.now` when the segment reads the visitor context (hour, weekday: always re-evaluated);
 * Infinity when nothing time-dependent is read. Re-evaluate once `now >= nextChange`.
 */
function nextChange(catalog, id, input, seen = new Set()) {
    const s = catalog.get(id);
    if (!s || seen.has(id))
        return Infinity;
    seen.add(id);
    const { now } = input;
    let next = Infinity;
    const at = (c) => {
        if (c >= now && c < next)
            next = c;
    };
    const walk = (r) => {
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
        const spans = [r.within, r.lastSeen?.within, r.lastSeen?.olderThan, r.firstSeen?.olderThan].filter((d) => d !== undefined);
        for (const x of ofEvent(input, r.event)) {
            if (!matches(x, r))
                continue;
            const expires = x.expiresAt;
            if (typeof expires === 'number')
                at(expires);
            forStamps(x, Infinity, (t) => {
                at(t);
                for (const d of spans)
                    at(t + d);
            });
        }
    };
    walk(s.rule);
    return next;
}

/** prevHash of the first record. */
const GENESIS = '0'.repeat(64);
/** The canonical bytes a record's hash covers: every field but `hash`, in a fixed order. */
function canonicalRecord(r) {
    return JSON.stringify([
        r.seq,
        r.at,
        r.purpose,
        r.granted,
        r.source,
        r.policyVersion ?? null,
        r.purged ? [r.purged.signals, r.purged.memberships, r.purged.reports] : null,
        r.prevHash,
    ]);
}
/** Hex SHA-256 (WebCrypto). */
async function sha256Hex(text) {
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
    return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
/** Chain new records onto `last` (the ledger's last record, if any). Pure but for hashing. */
async function chainRecords(last, records) {
    const out = [];
    let prev = last;
    for (const r of records) {
        const base = {
            seq: (prev?.seq ?? 0) + 1,
            at: r.at,
            purpose: r.purpose,
            granted: r.granted,
            source: r.source,
            ...(r.policyVersion !== undefined && { policyVersion: r.policyVersion }),
            ...(r.purged && { purged: r.purged }),
            prevHash: prev?.hash ?? GENESIS,
        };
        const rec = { ...base, hash: await sha256Hex(canonicalRecord(base)) };
        out.push(rec);
        prev = rec;
    }
    return out;
}
/**
 * True when the ledger is intact: seq runs 1, 2, 3… (nothing deleted or reordered), every
 * prevHash is the previous record's hash, every hash recomputes from the record's fields,
 * and, when a head is given, the last record is that head (nothing cut off the end).
 */
async function verifyLedger(records, head) {
    if (head) {
        const last = records[records.length - 1];
        if ((last?.seq ?? 0) !== head.seq || (last?.hash ?? GENESIS) !== head.hash)
            return false;
    }
    let prevHash = GENESIS;
    for (let i = 0; i < records.length; i++) {
        const r = records[i];
        if (r.seq !== i + 1 || r.prevHash !== prevHash)
            return false;
        const { hash, ...rest } = r;
        if ((await sha256Hex(canonicalRecord(rest))) !== hash)
            return false;
        prevHash = hash;
    }
    return true;
}

/** Consent state from the ledger: each purpose's latest record; a policy change leaves it `unset`. */
function deriveState(purposes, records) {
    const state = {};
    for (const p of purposes)
        state[p] = 'unset';
    for (const r of records) {
        // Only declared purposes (a stored record naming 'constructor' must not add a key).
        if (!purposes.includes(r?.purpose))
            continue;
        state[r.purpose] = r.source === 'policy-change' ? 'unset' : r.granted ? 'granted' : 'denied';
    }
    return state;
}
/** The latest record of a purpose, if any. */
function lastRecordOf(records, purpose) {
    for (let i = records.length - 1; i >= 0; i--)
        if (records[i].purpose === purpose)
            return records[i];
    return undefined;
}
const SOURCES = [
    'banner',
    'preference-center',
    'api',
    'gpc',
    'tcf',
    'consent-mode',
    'gpp',
    'policy-change',
];
/** Sources that speak for the visitor directly; only these can override GPC. */
const isVisitorChoice = (s) => s === 'banner' || s === 'preference-center';
/** Sources that re-announce a CMP's state: recorded only when their own value changes. */
const isAdapterSource = (s) => s === 'tcf' || s === 'consent-mode' || s === 'gpp';

const SOURCES_KEY = 'consent:sources';
const POLICY_KEY = 'consent:policyVersion';
const HEAD_KEY = 'consent:head';
/** Check `consent.update` arguments; reject with `invalid-argument` naming the key. */
function validateChoices(purposes, choices, meta) {
    const A = 'invalid-argument';
    const out = obj(choices, 'choices', purposes, A);
    for (const k in out)
        want(out[k], BOOL, `choices.${k}`, A);
    const m = meta === undefined ? {} : obj(meta, 'meta', ['source'], A);
    return {
        choices: out,
        // Every source but the last, 'policy-change', which only the client itself records.
        source: m.source === undefined ? 'api' : want(m.source, oneOf(SOURCES.slice(0, -1)), 'meta.source', A),
    };
}
/** The consent ledger and state: restore, update (with purge receipts), GPC, policy changes. */
function createConsentManager(o) {
    let state = deriveState(o.purposes, []);
    const setState = (next) => {
        const changed = o.purposes.some((p) => next[p] !== state[p]);
        state = next;
        return changed;
    };
    /** Append records, each withdrawal carrying its purge in the same transaction. Caller holds the lock. */
    const append = async (records, extra = []) => {
        const ledger = await o.store().getAll('ledger');
        let last = ledger[ledger.length - 1];
        for (const r of records) {
            const ops = [];
            let rec = r;
            if (!r.granted) {
                // Stop using the purpose before anything is deleted, so nothing new slips in.
                state = { ...state, [r.purpose]: r.source === 'policy-change' ? 'unset' : 'denied' };
                const plan = await o.planPurge(r.purpose);
                ops.push(...plan.ops);
                rec = { ...r, purged: plan.counts };
            }
            const [chained] = await chainRecords(last, [rec]);
            ops.push({ type: 'put', store: 'ledger', value: chained });
            ops.push({ type: 'put', store: 'meta', key: HEAD_KEY, value: { seq: chained.seq, hash: chained.hash } });
            await o.store().write(ops);
            ledger.push(chained);
            last = chained;
        }
        await o.store().write(extra);
        setState(deriveState(o.purposes, ledger));
        return ledger;
    };
    const record = (purpose, granted, source) => ({
        at: o.now(),
        purpose,
        granted,
        source,
        policyVersion: o.policyVersion,
    });
    const gpcRecord = (ledger) => {
        if (!o.gpc || !o.purposes.includes('measurement'))
            return undefined;
        const last = lastRecordOf(ledger, 'measurement');
        if (last && !last.granted && last.source !== 'policy-change')
            return undefined; // already denied
        if (last?.granted && isVisitorChoice(last.source))
            return undefined; // the visitor's own choice wins
        return record('measurement', false, 'gpc');
    };
    return {
        async init() {
            await o.exclusive(async () => {
                const ledger = await o.store().getAll('ledger');
                setState(deriveState(o.purposes, ledger));
                const records = [];
                const extra = [];
                if (o.policyVersion !== undefined) {
                    const stored = await o.store().get('meta', POLICY_KEY);
                    if (stored !== o.policyVersion) {
                        if (ledger.length)
                            records.push(...o.purposes.map((p) => record(p, false, 'policy-change')));
                        extra.push({ type: 'put', store: 'meta', key: POLICY_KEY, value: o.policyVersion });
                    }
                }
                const g = gpcRecord(await append(records, extra));
                if (g)
                    await append([g]);
            });
        },
        get: () => ({ ...state }),
        isGranted: (p) => state[p] === 'granted',
        async update(rawChoices, rawMeta) {
            const { choices, source } = validateChoices(o.purposes, rawChoices, rawMeta);
            return o.exclusive(async () => {
                const ledger = await o.store().getAll('ledger');
                const current = deriveState(o.purposes, ledger);
                setState(current);
                const records = [];
                const extra = [];
                let keep = choices;
                if (isAdapterSource(source)) {
                    // Adapters record only changes of their own source's value, never re-announcements.
                    const seen = ((await o.store().get('meta', SOURCES_KEY)) ?? {});
                    const mine = { ...(seen[source] ?? {}) };
                    keep = {};
                    for (const [p, v] of Object.entries(choices))
                        if (mine[p] !== v)
                            (keep[p] = v), (mine[p] = v);
                    extra.push({ type: 'put', store: 'meta', key: SOURCES_KEY, value: { ...seen, [source]: mine } });
                }
                for (const [purpose, granted] of Object.entries(keep)) {
                    if (granted && purpose === 'measurement' && o.gpc && !isVisitorChoice(source))
                        continue; // GPC holds
                    if (current[purpose] === (granted ? 'granted' : 'denied'))
                        continue; // records only changes
                    records.push(record(purpose, granted, source));
                }
                await append(records, extra);
                if (records.length)
                    o.onChange(this.get());
                return this.get();
            });
        },
        history: () => o.store().getAll('ledger'),
        async verify() {
            const head = (await o.store().get('meta', HEAD_KEY));
            return verifyLedger(await o.store().getAll('ledger'), head ?? { seq: 0, hash: GENESIS });
        },
        async reload() {
            const changed = setState(deriveState(o.purposes, await o.store().getAll('ledger')));
            if (changed)
                o.onChange(this.get());
            return changed;
        },
        reset() {
            setState(deriveState(o.purposes, []));
        },
    };
}

/**
 * Run `fn` exclusively: across tabs with Web Locks where the browser has them, and always
 * in order within this page (so one tab's queue keeps its order).
 */
function createLock(name) {
    let chain = Promise.resolve();
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    const lock = (fn) => {
        lock.queued++;
        const run = chain.then(() => (locks ? locks.request(name, fn) : fn()));
        chain = run.catch(() => undefined);
        return run;
    };
    lock.queued = 0;
    /** In this page's order only (no Web Lock): for writes that detect other tabs' themselves (a compared stamp). */
    lock.local = (fn) => {
        lock.queued++;
        const run = chain.then(fn);
        chain = run.catch(() => undefined);
        return run;
    };
    return lock;
}

function createTabSync(namespace, onMessage) {
    if (typeof BroadcastChannel === 'undefined')
        return { post() { }, close() { } };
    const ch = new BroadcastChannel(`cohortkit:${namespace}`);
    // In Node a channel keeps the process alive; a client must never do that.
    ch.unref?.();
    ch.onmessage = (e) => {
        if (e.data && typeof e.data.type === 'string')
            onMessage(e.data);
    };
    return {
        post: (m) => {
            try {
                ch.postMessage(m);
            }
            catch {
                /* channel closed */
            }
        },
        close: () => ch.close(),
    };
}

/** Typed event hub. A listener that throws is isolated: the others still run, the page never sees it. */
function createEmitter() {
    const listeners = new Map();
    // Errors raised before anyone listens (e.g. a storage fallback during createClient) are
    // kept, a few, and delivered to the first 'error' listener.
    let early = [];
    return {
        on(event, listener) {
            if (!listeners.has(event))
                listeners.set(event, new Set());
            listeners.get(event).add(listener);
            if (event === 'error' && early.length) {
                const pending = early;
                early = [];
                queueMicrotask(() => pending.forEach((e) => this.emit('error', e)));
            }
            return () => void listeners.get(event)?.delete(listener);
        },
        emit(event, detail) {
            if (event === 'error' && !listeners.get('error')?.size) {
                if (early.length < 10)
                    early.push(detail);
                return;
            }
            for (const l of [...(listeners.get(event) ?? [])]) {
                try {
                    l(detail);
                }
                catch (e) {
                    if (event !== 'error')
                        this.emit('error', isCohortkitError(e) ? e : new CohortkitError('listener', `a '${event}' listener threw: ${String(e)}`, e));
                }
            }
        },
        clear: () => listeners.clear(),
    };
}

/** Current schema version. Add a migration to MIGRATIONS for every bump; never edit an old one. */
const DB_VERSION = 2;
const KEY_PATHS = {
    ledger: 'seq',
    signals: 'key',
    memberships: 'id',
    outbox: 'id',
    meta: undefined,
};

/**
 * The stamp of the signals and memberships stores: every write to them (in any tab) puts a new
 * one in the same transaction, or keeps one the writer holds unclaimed (see {@link stampBase}),
 * so a tab whose cache was loaded or written under stamp X knows, by reading the stamp, whether
 * anything else wrote since. A random token, nothing about the visitor.
 */
const STAMP_KEY = 'cohortkit:stamp';
const STAMPED = new Set(['signals', 'memberships']);
/** A stored stamp as compared: anything but a string (written by another script) is none. */
const asStamp = (v) => (typeof v === 'string' ? v : undefined);
/**
 * The stamp a stored value stands for: `S~` is S claimed by a tab that loaded its caches under
 * S. A writer that put S and has held it since writes on without a new stamp (its put was ≈ 0.3×
 * a track's transaction) as long as S is stored unclaimed: nobody else can have loaded under S.
 * Once claimed, the next write under S puts a new stamp, so the claimer's compare fails and it
 * reloads. A load claims S in the transaction that reads the caches (the snapshot's `claim`).
 */
const stampBase = (v) => asStamp(v)?.split('~')[0] || undefined;
/** What a load under `v` stores: S claimed; undefined when there is nothing to claim (no stamp, claimed already, or `mine`). */
const claimed = (v, mine) => {
    const s = asStamp(v);
    return s && !s.includes('~') && s !== mine ? `${s}~` : undefined;
};
/** The stamp a compared write under `cur` (as stored) leaves, or false: refused (another writer came first). */
const nextStamp = (cur, s) => stampBase(cur) !== s.expect ? false : s.keep && s.expect && cur === s.expect ? s.expect : s.next;
/**
 * A stamp no other writer makes: this page's random prefix (96 bits, drawn once) and a counter.
 * (A draw per write was ~2% of a track's profile; a stamp needs uniqueness, not secrecy.)
 */
const newStamp = () => {
    if (!stampPrefix)
        for (const x of crypto.getRandomValues(new Uint8Array(12)))
            stampPrefix += x.toString(16).padStart(2, '0');
    return `${stampPrefix}.${(++stamps).toString(36)}`;
};
let stampPrefix = '';
let stamps = 0;

/**
 * Versioned migrations: MIGRATIONS[v] upgrades a database from v − 1 to v.
 * Each runs once, in order, inside the upgrade transaction. Never edit a shipped one.
 */
const MIGRATIONS = {
    1(db) {
        db.createObjectStore('ledger', { keyPath: 'seq' });
        db.createObjectStore('signals', { keyPath: 'key' }).createIndex('by-event', 'event');
        db.createObjectStore('memberships', { keyPath: 'id' });
        db.createObjectStore('outbox', { keyPath: 'id' });
        db.createObjectStore('meta');
    },
    // No store changes: the stamp's protocol did (a load claims it, its holder keeps it unclaimed).
    // A tab of the earlier protocol compares without claiming, so it must not share the database:
    // this upgrade closes its connection (it continues from memory until reloaded).
    2() { },
};

/** Database name for a namespace. */
const dbName = (namespace) => `cohortkit:${namespace}`;
const OPEN_TIMEOUT_MS = 3000;
function withTimeout(p, ms, what) {
    return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new CohortkitError('storage', `${what} timed out after ${ms} ms`)), ms);
        p.then((v) => (clearTimeout(t), resolve(v)), (e) => (clearTimeout(t), reject(e)));
    });
}
const storageError = (what, cause) => cause instanceof CohortkitError
    ? cause
    : new CohortkitError('storage', `${what} failed: ${cause?.message ?? String(cause)}`, cause);
/**
 * Open the IndexedDB backend. Rejects with a `storage` CohortkitError when IndexedDB is
 * missing, throws, or stays blocked. `onLost` is called when another page upgrades or
 * deletes the database (we close our connection so it can proceed) or the browser kills it.
 */
async function openIDBStore(namespace, onLost) {
    if (typeof indexedDB === 'undefined' || !indexedDB)
        throw new CohortkitError('storage', 'IndexedDB is not available');
    const name = dbName(namespace);
    let db;
    let lost = false;
    let timedOut = false;
    const opening = openDB(name, DB_VERSION, {
        upgrade(database, oldVersion, _newVersion, tx) {
            // idb makes a `done` promise for the upgrade transaction; an aborted upgrade must not
            // leave it rejected and unhandled (the open request fails too, and we handle that).
            tx.done.catch(() => undefined);
            for (let v = oldVersion + 1; v <= DB_VERSION; v++)
                MIGRATIONS[v](database, tx);
        },
        blocking(_current, blocked) {
            // Another tab wants a newer version or to delete the database: step aside.
            db?.close();
            lost = true;
            onLost(blocked === null ? 'deleted' : 'versionchange');
        },
        terminated() {
            lost = true;
            onLost('terminated');
        },
    });
    // An open that completes after we gave up must not keep a connection (it would block upgrades).
    opening.then((d) => timedOut && d.close(), () => undefined);
    try {
        db = await withTimeout(opening, OPEN_TIMEOUT_MS, `opening IndexedDB "${name}"`);
    }
    catch (e) {
        timedOut = true;
        throw storageError(`opening IndexedDB "${name}"`, e);
    }
    const live = () => {
        if (lost)
            throw new CohortkitError('storage', `IndexedDB "${name}": the connection was closed`);
        return db;
    };
    function transaction(names, mode, raw) {
        try {
            return raw ? unwrap(live()).transaction(names, mode) : live().transaction(names, mode);
        }
        catch (e) {
            if (e?.name === 'InvalidStateError') {
                lost = true;
                onLost('closed');
            }
            throw e;
        }
    }
    /**
     * One read in its own transaction. idb's shortcut methods leave a read transaction's `done`
     * unhandled, so an aborted read would reach the page as an unhandled rejection: not here.
     */
    const read = async (store, fn) => {
        try {
            const tx = transaction([store], 'readonly');
            tx.done.catch(() => undefined);
            return await fn(tx.objectStore(store));
        }
        catch (e) {
            throw storageError(`reading ${store}`, e);
        }
    };
    /**
     * One readwrite transaction for `ops`. Writes to the stamped stores (signals, memberships) also
     * put a new stamp (STAMP_KEY in meta). With `stamp`, the current stamp is read first in the same
     * transaction: when it does not stand for `stamp.expect` the transaction is aborted (nothing
     * written) and this resolves false; otherwise it resolves the stamp it leaves (see nextStamp).
     */
    const apply = (ops, stamp) => new Promise((resolve, reject) => {
        if (!ops.length && !stamp)
            return resolve('');
        const stamped = !!stamp || ops.some((o) => STAMPED.has(o.store));
        const names = [...new Set([...ops.map((o) => o.store), ...(stamped ? ['meta'] : [])])];
        const fail = (e) => reject(storageError(`writing ${names.join(', ')}`, e));
        let tx;
        // The hot path (every track): plain requests on the unwrapped connection, no promise or
        // listener per request. A failed request aborts the transaction; its error is the abort's.
        let left = '';
        try {
            tx = transaction(names, 'readwrite', true);
            const t = tx;
            t.oncomplete = () => resolve(left);
            t.onabort = () => (left === false ? resolve(false) : fail(t.error ?? new DOMException('the transaction was aborted', 'AbortError')));
            const meta = stamped ? t.objectStore('meta') : undefined;
            // Requests run in order: the read comes back before any write is made visible, and the
            // transaction cannot commit before we saw it (we abort in its callback when it differs,
            // or put the stamp it leaves there: still in this transaction).
            if (stamp) {
                const current = meta.get(STAMP_KEY);
                current.onsuccess = () => {
                    left = nextStamp(current.result, stamp);
                    if (left === false)
                        t.abort();
                    else if (left !== current.result)
                        meta.put(left, STAMP_KEY);
                };
            }
            for (const op of ops) {
                const st = t.objectStore(op.store);
                if (op.type === 'clear')
                    st.clear();
                else if (op.type === 'delete')
                    st.delete(op.key);
                else if (op.key === undefined)
                    st.put(op.value);
                else
                    st.put(op.value, op.key);
            }
            if (stamped && !stamp)
                meta.put((left = newStamp()), STAMP_KEY);
        }
        catch (e) {
            // A request that threw synchronously (e.g. DataCloneError) must not let the others commit.
            try {
                tx?.abort();
            }
            catch {
                /* already finished or aborted */
            }
            fail(e);
        }
    });
    return {
        kind: 'indexeddb',
        get: (store, key) => read(store, (s) => s.get(key)),
        getAll: (store) => read(store, (s) => s.getAll()),
        write: (ops) => apply(ops).then(() => undefined),
        writeIf: (ops, stamp) => apply(ops, stamp),
        async snapshot(names, claim) {
            try {
                // Claiming the stamp makes this a readwrite transaction (the claim is put in it, after the reads).
                const tx = transaction(names, claim && names.includes('meta') ? 'readwrite' : 'readonly');
                tx.done.catch(() => undefined);
                const out = {};
                let put;
                await Promise.all(names.map(async (n) => {
                    const s = tx.objectStore(n);
                    if (n !== 'meta')
                        return void (out[n] = (await s.getAll()));
                    const [keys, values] = await Promise.all([s.getAllKeys(), s.getAll()]);
                    out.meta = new Map(keys.map((k, i) => [k, values[i]]));
                    if (claim && (put = claimed(out.meta.get(STAMP_KEY), claim)))
                        await s.put(put, STAMP_KEY);
                }));
                // A claim counts once it is stored: another tab's write after it puts a new stamp.
                if (put)
                    await tx.done;
                return out;
            }
            catch (e) {
                throw storageError(`reading ${names.join(', ')}`, e);
            }
        },
        async destroy() {
            lost = true;
            db?.close();
            try {
                await withTimeout(deleteDB(name), OPEN_TIMEOUT_MS, `deleting IndexedDB "${name}"`);
            }
            catch (e) {
                throw storageError(`deleting IndexedDB "${name}"`, e);
            }
        },
        close() {
            lost = true;
            db?.close();
        },
    };
}

const NAMES = ['ledger', 'signals', 'memberships', 'outbox', 'meta'];
/** The memory backend: same interface, gone with the page. Values are cloned in and out like IndexedDB's. */
function createMemoryStore() {
    let maps = new Map(NAMES.map((n) => [n, new Map()]));
    const clone = (v) => (v === undefined ? v : structuredClone(v));
    const sorted = (m) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => clone(v));
    // One page only: a counter tells writes apart (no random draw: seeded tests keep their sequence).
    let writes = 0;
    /** Like IndexedDB's (idb-store.ts): all or nothing, stamped, compare-and-write with `stamp`. */
    const apply = async (ops, stamp) => {
        const left = stamp && nextStamp(maps.get('meta').get(STAMP_KEY), stamp);
        if (left === false)
            return false;
        // Validate first, apply after: all or nothing.
        const staged = new Map([...maps].map(([n, m]) => [n, new Map(m)]));
        for (const op of ops) {
            const m = staged.get(op.store);
            if (op.type === 'clear')
                m.clear();
            else if (op.type === 'delete')
                m.delete(op.key);
            else {
                const path = KEY_PATHS[op.store];
                const key = path ? op.value[path] : op.key;
                m.set(key, clone(op.value));
            }
        }
        if (left || ops.some((o) => STAMPED.has(o.store)))
            staged.get('meta').set(STAMP_KEY, left || `m${++writes}`);
        maps = staged;
        return left || '';
    };
    return {
        kind: 'memory',
        async get(store, key) {
            return clone(maps.get(store).get(key));
        },
        async getAll(store) {
            return sorted(maps.get(store));
        },
        write: (ops) => apply(ops).then(() => undefined),
        writeIf: (ops, stamp) => apply(ops, stamp),
        async snapshot(names, claim) {
            const out = {};
            for (const n of names) {
                if (n === 'meta')
                    out.meta = new Map([...maps.get('meta')].map(([k, v]) => [k, clone(v)]));
                else
                    out[n] = sorted(maps.get(n));
            }
            const c = claim && out.meta && claimed(out.meta.get(STAMP_KEY), claim);
            if (c)
                maps.get('meta').set(STAMP_KEY, c);
            return out;
        },
        async destroy() {
            for (const m of maps.values())
                m.clear();
        },
        close() { },
    };
}

/** Delete ops for stored values of `store` (keyed by its key path: signals by `key`, others by `id`). */
const deletes = (store, values) => values.map((v) => ({ type: 'delete', store, key: v[KEY_PATHS[store]] }));
/**
 * The values relying on some purpose for which `lost` is true (withdrawn, or not granted). A stored
 * value without a purpose list (edited by another script) relies on every purpose: any purge takes it.
 */
const relyingOn = (values, lost) => values.filter((v) => !Array.isArray(v?.purposes) || v.purposes.some(lost));

/**
 * Open the store the options ask for, falling back to memory when IndexedDB is missing,
 * throws or stays blocked. If another page upgrades or deletes the database while we
 * are open, the next operation reopens it, or continues from memory when it can't.
 * Never rejects for a storage fault at open time.
 */
async function openStore(opts) {
    let current;
    let lost = false;
    /** A reopen in progress: every operation that arrives meanwhile waits for the same one. */
    let opening;
    /** The database was deleted elsewhere (a forget() in another tab): reads must not recreate it. */
    let deleted = false;
    /** Another tab announced a write since the deletion (see changedElsewhere). */
    let lookAgain = false;
    const onLost = (why) => {
        lost = true;
        deleted = why === 'deleted';
        if (deleted)
            try {
                lookAgain = false; // only a message that follows the deletion counts
                opts.onDeleted?.();
            }
            catch (e) {
                opts.onError(new CohortkitError('storage', 'dropping the state of a database deleted elsewhere failed', e));
            }
    };
    /**
     * Whether the database exists again (another page wrote); true when the engine cannot tell.
     * Asked only after another tab announced a write (changedElsewhere): right after a deletion,
     * `databases()` can still list the database being deleted (seen in Chromium, Firefox and
     * WebKit), and an open then would recreate it. Another tab's message is posted after its
     * write, so by then a deletion it follows is over.
     */
    const exists = async () => {
        try {
            return typeof indexedDB.databases != 'function' || (await indexedDB.databases()).some((d) => d.name === dbName(opts.namespace));
        }
        catch {
            return true;
        }
    };
    /** (Re)open IndexedDB (reporting `note` once it is open), or continue from memory. */
    const reopen = async (note) => {
        try {
            const raw = await openIDBStore(opts.namespace, onLost);
            // The crypto layer loads on demand (ESM): only clients that ask for it pay its bytes.
            current = opts.encryptAtRest ? await (await import('./encrypt-C0XReCK8.js')).encryptedStore(raw, opts.onError, dbName(opts.namespace)).catch((e) => (raw.close(), Promise.reject(e))) : raw;
            if (note)
                opts.onError(new CohortkitError('storage', note));
        }
        catch (e) {
            current = createMemoryStore();
            opts.onError(new CohortkitError('storage', `${e instanceof CohortkitError ? e.message : 'IndexedDB unavailable'}; continuing from memory`, e));
        }
        opening = undefined;
        return current;
    };
    if (opts.storage === 'memory')
        current = createMemoryStore();
    else
        await reopen();
    // After destroy() the database stays deleted until something is written again, here or
    // (announced by a message) in another tab.
    let reopenOnWrite = false;
    const ready = (forWrite = false) => {
        if (lost && deleted)
            (lost = deleted = false), (current = createMemoryStore()), (reopenOnWrite = true);
        if (reopenOnWrite && forWrite)
            (reopenOnWrite = false), (opening = reopen());
        else if (reopenOnWrite && !opening && lookAgain)
            (lookAgain = false),
                (opening = exists().then((again) => (again && reopenOnWrite ? ((reopenOnWrite = false), reopen()) : ((opening = undefined), current))));
        else if (lost)
            (lost = false), (opening = reopen('the IndexedDB connection was lost (closed, upgraded or deleted elsewhere); reopened it'));
        return opening ?? Promise.resolve(current);
    };
    // An operation that hit a connection closed under us (or replaced meanwhile) retries once on the reopened store.
    const run = async (fn, forWrite = false) => {
        const s = await ready(forWrite);
        try {
            return await fn(s);
        }
        catch (e) {
            if (!lost && s === current)
                throw e;
            return fn(await ready(forWrite));
        }
    };
    return {
        get kind() {
            return reopenOnWrite ? 'indexeddb' : current.kind;
        },
        get: (store, key) => run((s) => s.get(store, key)),
        getAll: (store) => run((s) => s.getAll(store)),
        // An empty batch is a no-op (it must not recreate a destroyed database).
        // Deletes alone (a tab sweeping after a forget() elsewhere) must not recreate a deleted database either.
        write: async (ops) => void (ops.length && (await run((s) => s.write(ops), ops.some((o) => o.type === 'put')))),
        // A deleted database has no stamp: a write planned against one it had is refused (false)
        // without recreating the database, and the caller replans from what it holds now.
        writeIf: (ops, stamp) => (reopenOnWrite || (lost && deleted)) && stamp.expect !== undefined ? Promise.resolve(false) : run((s) => s.writeIf(ops, stamp), ops.some((o) => o.type === 'put')),
        snapshot: (names, claim) => run((s) => s.snapshot(names, claim)),
        async destroy() {
            const s = await ready();
            await s.destroy();
            if (s.kind === 'indexeddb') {
                current = createMemoryStore();
                reopenOnWrite = true;
                lookAgain = false;
            }
        },
        close() {
            current.close();
        },
        changedElsewhere() {
            lookAgain = true;
        },
    };
}

// Persistent storage (`navigator.storage.persist()`), asked for only when the site opts in:
// Firefox shows the visitor a prompt, which may never be answered, so the request is never awaited.
/** A read of `persisted()` that does not answer within this is reported `unavailable`. */
const READ_TIMEOUT_MS = 1000;
const manager = () => {
    try {
        return typeof navigator === 'undefined' ? undefined : (navigator.storage ?? undefined);
    }
    catch {
        return undefined; // a hostile getter
    }
};
/**
 * @param request ask for persistence now (the `persistStorage` option on an IndexedDB store)
 * @param onError gets a `storage` error when the request fails (it never throws here)
 * @returns `state()`: the current persistence, never rejecting, answering within a second
 */
function createPersistence(request, onError) {
    const m = manager();
    let pending = false;
    if (request && typeof m?.persist === 'function') {
        pending = true;
        // A persist() that throws synchronously, rejects or never settles: none reaches the page.
        void Promise.resolve()
            // Ask only when not persisted yet (Firefox remembers the answer; Chromium decides silently).
            .then(() => (typeof m.persisted === 'function' ? m.persisted() : false))
            .then((already) => already === true || m.persist())
            .catch((e) => onError(new CohortkitError('storage', `navigator.storage.persist() failed: ${String(e)}`, e)))
            .finally(() => (pending = false));
    }
    return {
        async state(usable) {
            if (!usable || typeof m?.persisted !== 'function')
                return 'unavailable';
            if (pending)
                return 'pending';
            let timer;
            try {
                const read = Promise.resolve().then(() => m.persisted());
                const late = new Promise((r) => (timer = setTimeout(r, READ_TIMEOUT_MS, 'late')));
                const v = await Promise.race([read, late]);
                return v === 'late' ? 'unavailable' : v === true ? 'persisted' : 'best-effort';
            }
            catch {
                return 'unavailable';
            }
            finally {
                clearTimeout(timer);
            }
        },
    };
}

// Cold start: every store read once, in one read transaction, and the start-up reads served
// from that snapshot (each store until something writes to it). Values are copied out, as a
// store would return fresh ones.
const ALL = ['ledger', 'signals', 'memberships', 'outbox', 'meta'];
/** `store` with its start-up reads served from one snapshot; `release()` ends that. A failed snapshot serves nothing. */
async function primeStore(store) {
    let snap = {};
    try {
        snap = await store.snapshot(ALL, true); // the caches loaded from it hold its stamp: claimed
    }
    catch {
        /* the reads themselves will fail, and be handled, as without a snapshot */
    }
    const has = (n) => (n === 'meta' ? !!snap.meta : !!snap[n]);
    const copy = (v) => (v === undefined ? v : structuredClone(v));
    // A write makes its stores' snapshot stale; one to the stamped stores also changes the stamp (meta).
    const drop = (ops) => ops.forEach((op) => (delete snap[op.store], STAMPED.has(op.store) && (delete snap.meta, delete snap.stamp)));
    return {
        get kind() {
            return store.kind;
        },
        get: (n, key) => (has(n) ? Promise.resolve(copy(n === 'meta' ? snap.meta.get(key) : snap[n].find((v) => v?.[KEY_PATHS[n]] === key))) : store.get(n, key)),
        getAll: (n) => (has(n) ? Promise.resolve(copy(n === 'meta' ? [...snap.meta.values()] : snap[n])) : store.getAll(n)),
        snapshot: (names, claim) => (names.every(has) ? Promise.resolve(copy(Object.fromEntries(names.map((n) => [n, snap[n]])))) : store.snapshot(names, claim)),
        write: (ops) => (drop(ops), store.write(ops)),
        writeIf: (ops, stamp) => (drop(ops), delete snap.meta, delete snap.stamp, store.writeIf(ops, stamp)),
        destroy: () => ((snap = {}), store.destroy()),
        close: () => store.close(),
        changedElsewhere: () => store.changedElsewhere?.(),
        release: () => void (snap = {}),
    };
}

/**
 * Loads the visitor-context reader: a chunk of the ESM build fetched on demand. The script-tag
 * bundle swaps this module for `src/tag/load-context.ts` (its add-on file `cohortkit-context.js`).
 */
const loadContext = () => import('./context-D9nZkc2M.js');

const reads = (r) => r.kind == 'context' || (r.kind == 'not' ? reads(r.rule) : (r.kind == 'all' || r.kind == 'any') && r.rules.some(reads));
/** What a context rule reads when the add-on could not be loaded: nothing (no value is in any list). */
const unknown = () => ({});
/**
 * Resolves with the context reader the segment runtime calls (at most once per evaluation): the
 * add-on's when a segment reads the context. An add-on that cannot be loaded is reported
 * (`network`) and context rules then read no value.
 */
function prepareContext(catalog, now, onError) {
    return catalog.segments.some((s) => reads(s.rule))
        ? loadContext().then((m) => () => m.contextFromWindow(typeof window == 'undefined' ? undefined : window, now()), (e) => (onError(loadError(e, 'context: the visitor-context reader')), unknown))
        : Promise.resolve(unknown);
}

/**
 * Starts fetching the encryption layer while IndexedDB opens (`encryptAtRest`): storage imports
 * the same chunk afterwards and finds it loaded. The script-tag bundle swaps this module for
 * `src/tag/encrypt.ts` (its add-on file `cohortkit-encrypt.js`). Failures surface where storage
 * imports it, never here.
 */
const preloadEncryption = () => void import('./encrypt-C0XReCK8.js').catch(() => { });

/**
 * Loads private reporting: a chunk of the ESM build fetched on demand. The script-tag bundle
 * swaps this module for `src/tag/load-reporting.ts` (its add-on file `cohortkit-reporting.js`).
 */
const loadReporting = () => import('./reporting-BD3VYMTF.js');

// Storage keys of private reporting, shared by the runtime (add-on) and the idle runtime (core).
const MEMO_KEY = 'report:memo';
const EPOCHS_KEY = 'report:epochs';
/** ε ever spent on fresh draws per space (report.lifetimeBudget); deleted only by forget(). */
const LIFETIME_KEY = 'privacy:lifetime';
/** A stored record that is not an outbox entry (edited by another script) is ignored, never fatal. */
const isEntry = (e) => typeof e?.id == 'string' && Array.isArray(e.purposes) && typeof e.report?.epoch == 'number' && typeof e.nextAt == 'number';
/** What a withdrawal of `purpose` deletes from the outbox (queued and sent copies; the memos with measurement). */
function purgeOutbox(purpose, all) {
    const gone = relyingOn(all, (p) => p === purpose);
    const ops = deletes('outbox', gone);
    if (purpose === 'measurement')
        ops.push({ type: 'delete', store: 'meta', key: MEMO_KEY });
    return { gone, ops, queued: gone.filter((e) => !e.sentAt).length };
}

// The seam between the client and private reporting, which lives in an add-on (a chunk of the ESM
// build, dist/cohortkit-reporting.js for the script tag): loaded only when `report` or `cohorts`
// is configured, started before storage opens so the two load in parallel. Without it, an idle
// runtime (below) keeps what the core must do whatever is configured: exportData() shows what is
// stored, a withdrawal or another tab's change purges queued reports, forget() is clean.
/**
 * Starts loading the add-on when `report` or `cohorts` is set and validates them with it.
 * `settle(onInvalid)` resolves with the setup; an invalid option rejects with its
 * `invalid-options` message (after `onInvalid`, which closes what was opened meanwhile). An
 * add-on that cannot be loaded is reported (`network`) and the client runs without reporting.
 */
function prepareReporting(raw, catalog, onError) {
    const idle = { spaces: [], createRuntime: (env) => createIdleRuntime(env, false) };
    const ready = raw.report === undefined && raw.cohorts === undefined
        ? Promise.resolve(idle)
        : loadReporting().then((m) => {
            try {
                const spaces = m.validateCohortSpaces(raw.cohorts, catalog);
                const config = raw.report === undefined ? undefined : m.validateReportOptions(raw.report, m.pageBase());
                const createRuntime = (env) => {
                    try {
                        return m.createReportingRuntime({ ...env, spaces, config, onError: (e) => env.onError(ownError(e)) });
                    }
                    catch (e) {
                        throw ownError(e); // e.g. the space id "consent" while report.consentRates is on
                    }
                };
                return { spaces, createRuntime };
            }
            catch (invalid) {
                return { invalid: ownError(invalid) };
            }
        }, (e) => {
            onError(loadError(e, 'report: private reporting'));
            return { spaces: [], createRuntime: (env) => createIdleRuntime(env, true) };
        });
    return {
        async settle(onInvalid) {
            const r = await ready;
            if ('invalid' in r)
                throw (onInvalid(), r.invalid);
            return r;
        },
    };
}
/**
 * Reporting when nothing is configured (or the add-on failed: `failed`, then `flush()` counts the
 * reports that wait for a later page). Never draws or sends; same shapes as the real runtime.
 */
function createIdleRuntime(o, failed) {
    const rows = async () => (await o.store().getAll('outbox')).filter(isEntry);
    const fault = (e) => o.onError(isCohortkitError(e) ? e : new CohortkitError('storage', String(e), e));
    return {
        kick() { },
        flush: async () => ({ sent: 0, queued: failed ? (await rows().catch((e) => (fault(e), []))).filter((e) => !e.sentAt).length : 0 }),
        async exportData() {
            const all = await rows();
            const reports = (sent) => all.filter((e) => !!e.sentAt == sent).map((e) => e.report);
            const epochs = ((await o.store().get('meta', EPOCHS_KEY)) ?? {});
            return {
                reports: { queued: reports(false), sent: reports(true) },
                privacy: {
                    epochs: Object.entries(epochs).map(([epoch, { spent, budget, skipped }]) => ({ epoch: +epoch, spent, budget, skipped })),
                    lifetime: { spent: 0, bySpace: {}, budget: null, exhausted: [] },
                },
            };
        },
        planPurge(purpose, all) {
            const { ops, queued } = purgeOutbox(purpose, all);
            return { ops, queued };
        },
        async sweep() {
            const gone = relyingOn(await rows(), (p) => !o.isGranted(p));
            if (gone.length)
                await o.store().write(deletes('outbox', gone)).catch(fault);
        },
        forget() { },
        close() { },
    };
}

// The add-ons a client may need, started together before storage opens so that they load while
// it does: the CMP adapters (`interop`), private reporting (`report`, `cohorts`), the visitor
// context reader (a `context` rule) and encryption at rest. Each loads only when configured;
// personalization loads later, on the first decide() (personalization-addon.ts).
/**
 * Starts every configured add-on. The function it returns resolves once all are settled; an
 * invalid `interop`, `report` or `cohorts` rejects with its `invalid-options` message (after
 * `onInvalid`, which closes what was opened meanwhile), the interop's first.
 */
function startAddons(opts, purposes, catalog, onError) {
    const interop = prepareInterop(opts.raw.interop, purposes);
    const reporting = prepareReporting(opts.raw, catalog, onError);
    const context = prepareContext(catalog, opts.now, onError);
    if (opts.encryptAtRest && opts.storage !== 'memory')
        preloadEncryption();
    return async (onInvalid) => ({ connectInterop: await interop.settle(onInvalid), ...(await reporting.settle(onInvalid)), context: await context });
}

// The consent runtime: the ledger manager (restore, update with purge receipts, GPC), the
// cross-tab channel (another tab's consent change or signals, applied one message at a time, in
// order) and the client's `consent` API. What a withdrawal purges is planned by the other runtimes.
/** Window of the 'signals' announcements (see `announce` below). */
const ANNOUNCE_EVERY_MS = 50;
function createConsentRuntime(o) {
    const gpc = o.respectGPC && typeof navigator !== 'undefined' && navigator.globalPrivacyControl === true;
    /** Everything stored that relied on `purpose`: signals (declared interests among them), memberships, the rest. */
    const planPurge = async (purpose) => {
        const relies = (p) => p === purpose;
        const signals = relyingOn(await o.store().getAll('signals'), relies);
        const memberships = relyingOn(await o.store().getAll('memberships'), relies);
        const rest = o.planPurge(purpose, await o.store().getAll('outbox'));
        const ops = [...deletes('signals', signals), ...deletes('memberships', memberships), ...rest.ops];
        return { ops, counts: { signals: signals.length, memberships: memberships.length, reports: rest.reports } };
    };
    // Another tab's changes, one message at a time in order (a consent change before the signals that follow it).
    // A 'signals' message right behind a signals reload that has not started yet adds none: that
    // reload reads the store after both writes (a message is posted after its write). So a burst of
    // tracks in another tab costs this tab one or two reloads, not one each.
    let synced = Promise.resolve();
    let waiting;
    const sync = createTabSync(o.namespace, (m) => {
        o.store().changedElsewhere?.();
        if (m.type === 'signals' && waiting?.type === 'signals')
            return;
        const item = (waiting = { type: m.type });
        synced = synced
            .then(async () => {
            if (waiting === item)
                waiting = undefined;
            if (m.type === 'consent')
                await manager.reload();
            if (m.type === 'signals')
                await o.onSignals();
        })
            .catch(o.onError);
    });
    // Tracks announce their writes ('signals': "reload them") at most once a window: the first at
    // once, the rest of a burst in one message at its end (posting is ~0.1 ms a track in Chromium;
    // the receiver reloads the store whole anyway). A pending one goes with a closing page.
    let quiet = 0;
    let pending;
    const announce = () => ((pending = undefined), (quiet = Date.now() + ANNOUNCE_EVERY_MS), sync.post({ type: 'signals' }));
    const flushSignals = () => pending && (clearTimeout(pending), announce());
    const hasWindow = typeof addEventListener == 'function';
    if (hasWindow)
        addEventListener('pagehide', flushSignals);
    const manager = createConsentManager({
        store: o.store,
        purposes: o.purposes,
        policyVersion: o.policyVersion,
        now: o.now,
        gpc,
        exclusive: o.exclusive,
        planPurge,
        onChange: o.onChange,
    });
    return {
        manager,
        /** Tell other tabs (`consent`, `signals`). */
        post: (type) => type != 'signals' ? sync.post({ type }) : pending ?? (Date.now() < quiet ? (pending = setTimeout(announce, quiet - Date.now())) : announce()),
        /** The client's `consent` API; `live` wraps each call that needs an open client. */
        api(live) {
            return {
                get: () => manager.get(),
                update: live(async (choices, meta) => {
                    const before = JSON.stringify(manager.get());
                    const state = await manager.update(choices, meta);
                    if (JSON.stringify(state) !== before)
                        sync.post({ type: 'consent' });
                    return state;
                }),
                history: live(() => manager.history()),
                verify: live(() => manager.verify()),
            };
        },
        close: () => (flushSignals(), hasWindow && removeEventListener('pagehide', flushSignals), sync.close()),
    };
}

// How declared interests are kept in the `signals` store: shared by the core (which reads, sweeps
// and purges them whether or not the add-on was loaded) and declare() (interests-declare.ts, an add-on).
const PREFIX = 'interest|';

/**
 * Loads declare(): a chunk of the ESM build fetched on demand. The script-tag bundle swaps this
 * module for `src/tag/load-interests.ts` (its add-on file `cohortkit-interests.js`).
 */
const loadInterests = () => import('./interests-CISMedqz.js');

// A record of the wrong shape (edited by another script) is not an interest we declared.
const isInterest = (x, known) => {
    const r = x;
    return (!!r && typeof r.key == 'string' && r.key.startsWith(PREFIX) && typeof r.interest == 'string' && known.has(r.interest) &&
        Array.isArray(r.purposes) && r.purposes.every((p) => typeof p == 'string'));
};
function createInterestRuntime(o) {
    const known = new Map(o.interests.map((i) => [i.id, i]));
    /** Declared ids in the order of `options.interests`. */
    let held = new Map();
    const ordered = () => o.interests.filter((i) => held.has(i.id)).map((i) => i.id);
    return {
        get: () => ordered(),
        list: () => o.interests.map(({ id, label }) => ({ id, label })),
        /** (Re)load from the store: at start, and when another tab changed it. */
        async load() {
            const all = await o.store().getAll('signals');
            held = new Map(all.filter((x) => isInterest(x, known)).map((x) => [x.interest, x]));
        },
        /**
         * Replace the declared set (all or nothing, see interests-declare.ts). The add-on is loaded on
         * the first call; one that cannot be loaded rejects `network` (nothing changes).
         */
        async declare(ids) {
            const m = await loadInterests().catch((e) => Promise.reject(loadError(e, 'interests.declare: declared interests')));
            try {
                return await m.declareInterests(ids, { ...o, known, load: async () => (await this.load(), held), replace: (next) => (held = next) });
            }
            catch (e) {
                throw ownError(e);
            }
        },
        /** Delete stored interests whose purposes are not (or no longer) all granted. */
        async sweep() {
            await this.load();
            const gone = relyingOn([...held.values()], (p) => !o.isGranted(p));
            await o.store().write(gone.map((r) => ({ type: 'delete', store: 'signals', key: r.key })));
            gone.forEach((r) => held.delete(r.interest));
        },
        /** Drop the cache after a purge (of `purpose`) or forget (no purpose). */
        forgetPurpose(purpose) {
            for (const [id, r] of held)
                if (!purpose || r.purposes.includes(purpose))
                    held.delete(id);
        },
    };
}

/**
 * Loads personalization: a chunk of the ESM build fetched on demand. The script-tag bundle swaps
 * this module for `src/tag/load-personalize.ts` (its add-on file `cohortkit-personalize.js`).
 */
const loadPersonalize = () => import('./personalize-CkPY2ciF.js');

// Where personalization keeps its state in the `meta` store: shared by the runtime (an add-on) and
// the core (which deletes both on a withdrawal of `personalization` whether or not it was loaded).
const CAPS_KEY = 'decide:caps';
const LOCAL_ID_KEY = 'decide:localId';

function createLazyPersonalization(o) {
    let ready;
    let rt;
    // Bumped by every purge: state restored while one ran is dropped.
    let purges = 0;
    const env = { ...o, onError: (e) => o.onError(ownError(e)) };
    const load = () => (ready ??= loadPersonalize()
        .then(async (m) => {
        const at = purges;
        const r = m.createPersonalizationRuntime(env);
        await r.restore(); // caps and the holdout id, read once (a failed read is reported)
        if (at != purges)
            r.forget();
        return (rt = r);
    }, (e) => Promise.reject(loadError(e, 'decide: personalization')))
        .catch((e) => {
        ready = undefined; // a later decide() tries again
        throw e;
    }));
    const forget = () => (purges++, rt?.forget());
    return {
        async decide(request) {
            try {
                return await (await load()).decide(request);
            }
            catch (e) {
                throw ownError(e);
            }
        },
        /** A withdrawal of `personalization`: caps and the holdout id are deleted with the rest. */
        planPurge(purpose) {
            if (purpose != 'personalization')
                return [];
            forget();
            return [CAPS_KEY, LOCAL_ID_KEY].map((key) => ({ type: 'delete', store: 'meta', key }));
        },
        forget,
    };
}

// The evaluated state of the segments runtime: the cache of rollups (by key and by event) and,
// per segment, the explanation last evaluated with the time until which it holds (nextChange).
// Reads serve that state and re-evaluate only what a window may have moved since.
/** Longest synchronous stretch of evaluation before yielding to the page. */
const SLICE_MS = 12;
const yieldToPage = () => new Promise((r) => {
    const s = globalThis.scheduler;
    if (s?.yield)
        void s.yield().then(r, r);
    else
        setTimeout(r, 0);
});
function createEvaluatedState(o) {
    const { catalog } = o;
    let signals = new Map();
    /** The same rollups by event, then key (kept with `signals`): a condition reads only its event's. */
    let byEvent = new Map();
    const setSignals = (list) => {
        signals = new Map();
        byEvent = new Map();
        for (const x of list)
            putSignal(x);
    };
    const putSignal = (x) => {
        signals.set(x.key, x);
        let m = byEvent.get(x.event);
        if (!m)
            byEvent.set(x.event, (m = new Map()));
        m.set(x.key, x);
    };
    const dropSignal = (key) => {
        const x = signals.get(key);
        signals.delete(key);
        if (x)
            byEvent.get(x.event)?.delete(key);
    };
    /** Rollups by event, built per event on first use, live at `now` (`staged` laid over the cache). */
    const eventIndex = (now, staged) => {
        const built = new Map();
        const get = (event) => {
            let list = built.get(event);
            if (list)
                return list;
            list = [];
            for (const x of byEvent.get(event)?.values() ?? [])
                if (!staged?.has(x.key) && x.expiresAt > now)
                    list.push(x);
            for (const x of staged?.values() ?? [])
                if (x.event === event && x.expiresAt > now)
                    list.push(x);
            built.set(event, list);
            return list;
        };
        // Evaluation only ever calls get().
        return Object.assign(new Map(), { get });
    };
    // The visitor's context is read (navigator, location, referrer) only by a rule that needs it.
    const input = (now, staged) => {
        let context;
        return { rollups: [], byEvent: eventIndex(now, staged), get context() { return (context ??= o.context()); }, now, isGranted: o.isGranted, declared: o.declared?.() ?? [] };
    };
    /**
     * Evaluated state: each segment's explanation, when it was made, and when it may next change
     * (nextChange). A read serves it while `at <= now < next` and consent is as it was; anything
     * else (a track of its events, a reload, a purge, declared interests) drops it.
     */
    const views = new Map();
    let viewsDeclared = '[]';
    const invalidate = (ids) => (ids ? [...ids].forEach((id) => views.delete(id)) : views.clear());
    /**
     * Evaluation as of `now`, lazily per segment: with `staged` fresh (for a commit; `lite`: membership
     * only, no conditions or signals described), else from the evaluated state.
     */
    const evaluator = (staged, lite, now = o.now()) => {
        const cache = new Map();
        let inp;
        const inputNow = () => (inp ??= input(now, staged));
        if (staged)
            return (id) => evaluateSegment(catalog, id, inputNow(), cache, lite);
        const declared = JSON.stringify(o.declared?.() ?? []);
        if (declared !== viewsDeclared)
            (viewsDeclared = declared), views.clear();
        const get = (id) => {
            const hit = cache.get(id);
            if (hit)
                return hit;
            const seg = catalog.get(id);
            const granted = !!seg && seg.effectivePurposes.every(o.isGranted);
            const v = views.get(id);
            if (v && v.at <= now && now < v.next && v.granted === granted)
                return cache.set(id, v.e), v.e;
            for (const r of seg?.refs ?? [])
                get(r); // referenced segments from the state too
            const e = evaluateSegment(catalog, id, inputNow(), cache);
            if (seg)
                views.set(id, { e, at: now, next: nextChange(catalog, id, inputNow()), granted });
            return e;
        };
        return get;
    };
    /**
     * Evaluate (into `explain`'s cache) in slices of at most SLICE_MS, yielding to the page between
     * them: a large profile's first evaluation never makes a long task (> 50 ms).
     */
    const warm = async (explain, ids) => {
        let since = performance.now();
        for (const seg of catalog.segments) {
            if (ids && !ids.has(seg.id))
                continue;
            explain(seg.id);
            if (performance.now() - since > SLICE_MS)
                await yieldToPage(), (since = performance.now());
        }
    };
    return {
        /** The cached rollups by key. */
        get signals() {
            return signals;
        },
        ofEvent: (event) => byEvent.get(event)?.values() ?? [],
        setSignals,
        putSignal,
        dropSignal,
        invalidate,
        evaluator,
        warm,
    };
}

/** At most this many props per event. */
const MAX_PROPS = 16;
/** Longest string prop value, in UTF-16 code units. */
const MAX_STRING_LENGTH = 256;
const A = 'invalid-argument';
/**
 * Validates the arguments of `track(event, props)`.
 * Returns the event and a fresh plain copy of the props (each getter read once);
 * throws `CohortkitError('invalid-argument')` whose message names the field.
 */
function validateTrack(event, props) {
    if (typeof event != 'string')
        fail('event', `expected a string, got ${event === null ? 'null' : typeof event}`, A);
    want(event, NAME, 'event', A);
    const out = {};
    if (props !== undefined) {
        const ks = keys(props, 'props', A);
        if (ks.length > MAX_PROPS)
            fail('props', `at most ${MAX_PROPS} keys, got ${ks.length}`, A);
        for (const k of ks) {
            if (!NAME_PATTERN.test(k))
                fail(`props[${JSON.stringify(k.slice(0, 80))}]`, NAME[1], A);
            const p = `props.${k}`;
            const v = read(() => props[k], p, A);
            if (!isScalar(v))
                fail(p, SCALAR, A);
            if (v.length > MAX_STRING_LENGTH)
                fail(p, `string longer than ${MAX_STRING_LENGTH} characters`, A);
            out[k] = v;
        }
    }
    return { event: event, props: out };
}

/**
 * Keeps only what a declared segment or cohort space reads.
 * @param reads event name → the property keys read for it (an empty set: the event is read, no props).
 * @returns null when nothing reads the event (`unreferenced`), else the referenced props only.
 */
function minimize(event, props, reads) {
    const keys = reads.get(event);
    if (!keys)
        return null;
    const out = {};
    for (const k of keys)
        if (Object.prototype.hasOwnProperty.call(props, k))
            out[k] = props[k];
    return out;
}
/** Canonical JSON of scalar props with keys sorted: equal props give equal keys. */
function propsKey(props) {
    return `{${Object.keys(props)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${JSON.stringify(props[k])}`)
        .join(',')}}`;
}

/** Timestamps kept per rollup (the most recent). */
const MAX_TIMES = 64;
const DAY_MS = 86400000;
/** Days since 1970-01-01 UTC. */
const dayOf = (ms) => Math.floor(ms / DAY_MS);
/**
 * Adds one occurrence at `at` to a rollup (a new one when `existing` is undefined); never mutates.
 * `times` stays ascending and holds the {@link MAX_TIMES} most recent timestamps.
 */
function addToRollup(existing, event, props, at) {
    if (!existing)
        return { event, props, day: dayOf(at), count: 1, first: at, last: at, times: [at] };
    const times = existing.times.slice();
    let i = times.length;
    while (i > 0 && times[i - 1] > at)
        i--;
    times.splice(i, 0, at);
    return {
        ...existing,
        count: existing.count + 1,
        first: Math.min(existing.first, at),
        last: Math.max(existing.last, at),
        times: times.length > MAX_TIMES ? times.slice(times.length - MAX_TIMES) : times,
    };
}
/**
 * Stored events named `event` at or after `since` (exact while a rollup holds ≤ 64 events;
 * a lower bound beyond, which is ample for rate limiting at 60 per minute).
 */
function countSince(rollups, event, since) {
    let n = 0;
    for (const r of rollups) {
        if (r.event !== event || r.last < since)
            continue;
        n += r.first >= since ? r.count : r.times.filter((t) => t >= since).length;
    }
    return n;
}

/** Same event + same props within this many ms (inclusive) of the last stored one: `duplicate`. */
const DUPLICATE_WINDOW_MS = 1000;
/** At most this many stored events of one name per {@link RATE_WINDOW_MS}. */
const RATE_LIMIT = 60;
/** The sliding window: events at `t` with `at - t < 60 000` count. */
const RATE_WINDOW_MS = 60000;
/** Event names remembered (least recently stored evicted first). */
const GUARD_MAX_EVENTS = 256;
/** Start (inclusive) of the rate window ending at `at`, e.g. for `countSince(rollups, event, rateWindowStart(at))`. */
const rateWindowStart = (at) => at - RATE_WINDOW_MS + 1;
/** Creates an ingest guard; its memory is bounded ({@link GUARD_MAX_EVENTS} names × {@link RATE_LIMIT} times). */
function createIngestGuard(from) {
    // Entries are replaced, never mutated, so a fork may share them.
    const seen = new Map(from);
    const recent = (times, at) => times.filter((t) => at - t < RATE_WINDOW_MS);
    return {
        check(event, rawPropsKey, at, storedInLastMinute) {
            const s = seen.get(event);
            if (s && s.key === rawPropsKey && Math.abs(at - s.at) <= DUPLICATE_WINDOW_MS)
                return 'duplicate';
            const mine = s ? recent(s.times, at).length : 0;
            return Math.max(mine, storedInLastMinute) >= RATE_LIMIT ? 'rate-limited' : 'ok';
        },
        record(event, rawPropsKey, at) {
            const times = recent(seen.get(event)?.times ?? [], at);
            times.push(at);
            seen.delete(event);
            seen.set(event, { key: rawPropsKey, at, times: times.slice(-RATE_LIMIT) });
            if (seen.size > GUARD_MAX_EVENTS)
                seen.delete(seen.keys().next().value);
        },
        fork: () => createIngestGuard(seen),
    };
}

const DAY = 86_400_000;
/**
 * Group commit: tracks that arrive while a batch waits for the exclusive section join it
 * (unless another section was queued after it, which keeps their order), and the batch
 * commits in one transaction: a resolved track is durable. Every check (rate limit,
 * duplicate, consent) is made per call, in arrival order, against the state the earlier
 * calls of the batch would leave.
 */
function createTrackBatches(o, st, 
// The segment runtime's own functions, and its `known` flag read when used: it stays their
// one owner. (Arguments rather than an object of them: fewer bytes in the bundle.)
load, write, plan, settle, isSignal, known) {
    const { catalog } = o;
    /** The ingest guard (rate limit, duplicates): only the commit reads and replaces it. */
    let guard = createIngestGuard();
    let open;
    return {
        add(call) {
            return new Promise((resolve, reject) => {
                const p = { ...call, done: { resolve, reject } };
                if (open && open.queued === o.exclusive.queued)
                    return void open.calls.push(p);
                const batch = { calls: [p], queued: undefined };
                open = batch;
                // In this page's order only: the compared write stands in for the cross-tab lock (another
                // tab's write fails it, we reload).
                const section = o.exclusive.local ?? o.exclusive;
                section(async () => {
                    if (open === batch)
                        open = undefined;
                    await commit(batch.calls);
                }).catch(() => undefined); // each call settles through its own promise
                batch.queued = o.exclusive.queued;
            });
        },
    };
    async function commit(calls) {
        let results;
        try {
            const at = calls.map(() => o.now());
            const keys = calls.map((c, i) => `${c.event}|${dayOf(at[i])}|${propsKey(c.kept)}`);
            const distinct = [...new Set(keys)];
            // Another tab (or another writer here) changed the store since we knew its stamp: reload first.
            if (!known())
                await load();
            for (let attempt = 0;; attempt++) {
                // Without a stamp to compare, read each key once (another tab may have written it).
                const reads = known() ? undefined : await Promise.all(distinct.map((k) => o.store().get('signals', k)));
                const staged = new Map();
                distinct.forEach((k, i) => {
                    const read = reads?.[i];
                    const v = isSignal(read) ? read : st.signals.get(k);
                    if (v)
                        staged.set(k, v);
                });
                const g = guard.fork();
                // Rollups of each event this batch tracks (the rate limit counts only its own event).
                const ofEvent = (event) => {
                    const out = [...st.ofEvent(event)].filter((v) => !staged.has(v.key));
                    for (const v of staged.values())
                        if (v.event === event)
                            out.push(v);
                    return out;
                };
                results = calls.map((c, i) => {
                    const t = at[i];
                    const verdict = g.check(c.event, c.rawKey, t, countSince(ofEvent(c.event), c.event, rateWindowStart(t)));
                    if (verdict !== 'ok')
                        return { stored: false, reason: verdict };
                    // Re-checked inside the exclusive section: a withdrawal may have just happened.
                    if (!catalog.purposesForEvent(c.event).some((ps) => ps.every(o.isGranted)))
                        return { stored: false, reason: 'no-consent' };
                    const existing = staged.get(keys[i]);
                    const rollup = addToRollup(existing, c.event, c.kept, t);
                    const ps = [...new Set([...(existing?.purposes ?? []), ...c.purposes])];
                    staged.set(keys[i], { ...rollup, key: keys[i], purposes: ps, expiresAt: rollup.last + o.retentionDays(ps) * DAY });
                    g.record(c.event, c.rawKey, t);
                    return undefined; // stored, once the batch commits
                });
                const written = new Set(keys.filter((_, i) => !results[i]));
                const signalOps = [...written].map((k) => ({ type: 'put', store: 'signals', value: staged.get(k) }));
                if (!signalOps.length)
                    break;
                // Re-evaluated: the segments with a condition (their own or a referenced one's) that counts
                // a rollup this batch changed. Another condition of the event cannot see the change.
                // Each event of the batch once (a batch of 2,000 tracks has a handful), each segment once.
                const changed = [...written].map((k) => staged.get(k));
                const ids = new Set();
                for (const event of new Set(changed.map((x) => x.event)))
                    for (const id of catalog.segmentsReadingEvent(event))
                        if (!ids.has(id) && catalog.get(id).lineage.some((r) => changed.some((x) => matches(x, r))))
                            ids.add(id);
                // Which memberships change needs only `member`: the full explanations (as of the same
                // instant) are made only for what is emitted, when a membership changed (below).
                const now = o.now();
                const memberships = plan(st.evaluator(staged, true, now), ids);
                // Signals and memberships in one transaction; when that is refused, the signals alone
                // (a refused membership write is reported, not a failed track: the next reconcile retries it).
                let both = true;
                let ok;
                try {
                    ok = await write([...signalOps, ...memberships.ops]);
                }
                catch (e) {
                    if (!memberships.ops.length)
                        throw e;
                    both = false;
                    ok = await write(signalOps);
                    o.onError(e);
                }
                if (!ok) {
                    // Another writer came first (nothing was written): reload and plan again; the third time, read first.
                    if (attempt < 2)
                        await load();
                    continue;
                }
                for (const k of written)
                    st.putSignal(staged.get(k));
                guard = g;
                st.invalidate(ids);
                if (both && memberships.apply.length)
                    settle(st.evaluator(staged, false, now), memberships.apply, false);
                o.onSignals?.();
                break;
            }
            calls.forEach((c, i) => c.done.resolve(results[i] ?? { stored: true, reason: 'stored' }));
        }
        catch (e) {
            // A refused write fails the calls it would have stored; the others stand as checked.
            calls.forEach((c, i) => (results?.[i] ? c.done.resolve(results[i]) : c.done.reject(e)));
        }
    }
}

// A stored record of the wrong shape (edited by another script) is ignored, never fatal.
const num = (...xs) => xs.every(Number.isFinite);
const hasPurposes = (x) => Array.isArray(x?.purposes) && x.purposes.every((p) => typeof p == 'string');
const HOUR = 3_600_000;
const isSignal = (s) => !!s && hasPurposes(s) && typeof s.key == 'string' && typeof s.event == 'string' && typeof s.props == 'object' && !!s.props &&
    Array.isArray(s.times) && num(s.day, s.count, s.first, s.last, s.expiresAt, ...s.times);
const isMembership = (m) => hasPurposes(m) && typeof m.id == 'string' && num(m.version, m.since);
/** `emit` of the 'segments' event, called only when the set of memberships (id, version, since) changed: never twice for one. */
const onlyChanges = (emit) => {
    let last = '[]';
    return (list) => {
        const sig = JSON.stringify(list.map((m) => [m.id, m.version, m.since]));
        if (sig !== last)
            (last = sig), emit(list);
    };
};
function createSegmentRuntime(o) {
    const { catalog } = o;
    const st = createEvaluatedState(o);
    const { setSignals, putSignal, dropSignal, invalidate, evaluator, warm } = st;
    let stored = new Map();
    /** Memberships of segments that rely on no purpose (context-only): never persisted. */
    const ephemeral = new Map();
    /**
     * The store's stamp when the caches were last loaded or written by us (see STAMP_KEY): a write
     * compares it in its own transaction, so no read comes before it. `known` is false until the
     * caches are loaded and after a refused write (something else wrote since): they reload first.
     */
    let stamp;
    let known = false;
    /** We put `stamp` ourselves (not a load's): a write finding it unclaimed keeps it (see stampBase). */
    let owned = false;
    /** Current memberships in catalog order, with their explanations. */
    const list = (explain) => catalog.segments
        .map((s) => stored.get(s.id) ?? ephemeral.get(s.id))
        .filter((m) => !!m && explain(m.id).member)
        // A copy: the evaluated state is kept, and the page may change what it is given.
        .map(({ id, version, since }) => ({ id, version, since, explanation: structuredClone(explain(id)) }));
    /** The membership writes that bring (all, or only the given) segments in line with `explain`, and the cache changes to apply once stored. */
    const plan = (explain, ids) => {
        const now = o.now();
        const ops = [];
        // The caches change only once the store took the change: a refused write is retried by the next reconcile.
        const apply = [];
        for (const seg of catalog.segments) {
            if (ids && !ids.has(seg.id))
                continue;
            const member = explain(seg.id).member;
            const persistent = seg.effectivePurposes.length > 0;
            // At apply time, the map then current (a reload may have replaced it meanwhile).
            const map = () => (persistent ? stored : ephemeral);
            const cur = map().get(seg.id);
            if (member && (!cur || cur.version !== seg.version)) {
                const m = { id: seg.id, version: seg.version, since: now, purposes: seg.effectivePurposes };
                apply.push(() => map().set(seg.id, m));
                if (persistent)
                    ops.push({ type: 'put', store: 'memberships', value: m });
            }
            else if (!member && cur) {
                apply.push(() => map().delete(seg.id));
                if (persistent)
                    ops.push({ type: 'delete', store: 'memberships', key: seg.id });
            }
        }
        // Memberships of segments no longer declared are dropped.
        for (const id of [...stored.keys()])
            if (!catalog.has(id))
                apply.push(() => stored.delete(id)), ops.push({ type: 'delete', store: 'memberships', key: id });
        return { ops, apply };
    };
    /** Apply a stored plan to the caches; emit on change. */
    const settle = (explain, apply, wanted = true) => {
        apply.forEach((f) => f());
        if (!apply.length && !wanted)
            return [];
        const memberships = list(explain);
        if (apply.length)
            o.onSegments(memberships);
        return memberships;
    };
    /**
     * Evaluate (all, or only the given) segments, reconcile stored memberships, emit on change.
     * One at a time in this page (two would each write the same new membership).
     */
    let reconciling = Promise.resolve();
    const reconcile = (ids) => {
        const run = reconciling.then(async () => {
            let explain = evaluator();
            await warm(explain, ids);
            let p = plan(explain, ids);
            if (!(await write(p.ops))) {
                // Another writer came first (or the database was deleted by a forget() elsewhere): plan
                // again against the memberships stored now, from the state this page holds now.
                stored = new Map((await o.store().getAll('memberships')).filter(isMembership).map((m) => [m.id, m]));
                explain = evaluator();
                await warm(explain, ids);
                p = plan(explain, ids);
                await o.store().write(p.ops);
            }
            return settle(explain, p.apply);
        });
        reconciling = run.catch(() => undefined);
        return run;
    };
    /** Write `ops`, comparing the stamp when we know it: false (nothing written) when another writer came first. */
    const write = async (ops) => {
        if (!ops.length)
            return true;
        if (known) {
            const left = await o.store().writeIf(ops, { expect: stamp, next: newStamp(), keep: owned });
            if (left !== false)
                return (stamp = left), (owned = true);
            known = false;
            return false;
        }
        await o.store().write(ops);
        return true;
    };
    /** (Re)load the caches from the store, in one read transaction. */
    const load = async () => {
        // Claimed in the same transaction (a tab that put the stamp puts a new one on its next
        // write), unless it is the one we put and hold: we still do.
        const held = owned ? stamp : undefined;
        const snap = await o.store().snapshot(['signals', 'memberships', 'meta'], held ?? true);
        const raw = snap.stamp ? snap.stamp.value : snap.meta?.get(STAMP_KEY);
        setSignals((snap.signals ?? []).filter(isSignal));
        stored = new Map((snap.memberships ?? []).filter(isMembership).map((m) => [m.id, m]));
        stamp = stampBase(raw);
        known = !!snap.meta || !!snap.stamp;
        owned = !!held && raw === held;
        invalidate();
    };
    const batches = createTrackBatches(o, st, load, write, plan, settle, isSignal, () => known);
    let expiredAt = -Infinity;
    async function expire() {
        const now = (expiredAt = o.now());
        const gone = [...st.signals.values()].filter((s) => s.expiresAt <= now);
        if (!gone.length)
            return 0;
        const ops = deletes('signals', gone);
        if (!(await write(ops)))
            await o.store().write(ops);
        gone.forEach((s) => dropSignal(s.key));
        invalidate();
        await reconcile();
        return gone.length;
    }
    return {
        /** (Re)load the caches from the store: at start, and when another tab changed it. */
        load,
        async track(event, props) {
            const kept = minimize(event, props, catalog.reads);
            if (!kept)
                return { stored: false, reason: 'unreferenced' };
            const eligible = catalog.purposesForEvent(event).filter((ps) => ps.every(o.isGranted));
            if (!eligible.length)
                return { stored: false, reason: 'no-consent' };
            // The signal is stored under every purpose of every eligible reader: withdrawing any of
            // them deletes it (conservative: never kept on a basis that is gone; the next events
            // rebuild what the remaining readers need).
            const purposes = [...new Set(eligible.flat())];
            const stored = await batches.add({ event, kept, rawKey: propsKey(props), purposes });
            // Retention follows the client's clock (`now`), not only the 10-minute wall-time timer: a
            // track an hour of that clock after the last sweep runs one (not awaited by the track).
            if (o.now() - expiredAt >= HOUR)
                void expire().catch(o.onError);
            return stored;
        },
        /** Current memberships: the evaluated state, re-evaluated where a window may have moved since. */
        memberships: () => reconcile(),
        explain: (id) => structuredClone(evaluator()(id)),
        /** Pure evaluation as of now (no writes), computed per segment on demand. */
        evaluator,
        /** Delete expired signals; returns how many went. */
        expire,
        /**
         * Reload from the store (another tab may have changed it), delete whatever relies on a
         * purpose that is not granted, and return the memberships that remain.
         */
        sweep() {
            // Exclusive: a reload racing a batch of tracks would drop what the batch just cached.
            return o.exclusive(async () => {
                await load();
                const lost = (p) => !o.isGranted(p);
                const goneSignals = relyingOn([...st.signals.values()], lost);
                const goneMemberships = relyingOn([...stored.values()], lost);
                const ops = [...deletes('signals', goneSignals), ...deletes('memberships', goneMemberships)];
                if (!(await write(ops)))
                    await o.store().write(ops);
                goneSignals.forEach((x) => dropSignal(x.key));
                goneMemberships.forEach((x) => stored.delete(x.id));
                invalidate();
                return reconcile();
            });
        },
        /** Drop the caches after a purge or forget. */
        forgetPurpose(purpose) {
            for (const [k, v] of st.signals)
                if (!purpose || v.purposes.includes(purpose))
                    dropSignal(k);
            for (const [k, v] of stored)
                if (!purpose || v.purposes.includes(purpose))
                    stored.delete(k);
            if (!purpose)
                ephemeral.clear();
            invalidate();
        },
        exportSignals: () => [...st.signals.values()].map(({ key: _key, ...s }) => s),
    };
}

/**
 * The Client over the runtimes. Arguments, not an object of them: fewer bytes in the bundle
 * (every property name would stay in it twice). `catalog` lists the segment catalog,
 * `dropAll` drops everything this tab holds about the visitor in memory, `close` stops timers,
 * add-ons, channels and storage (called once).
 */
function createSurface(opts, store, events, consent, segs, interests, personal, reporting, persistence, exclusive, emitSegments, dropAll, catalog, close) {
    let closed = false;
    const live = (fn) => async (...a) => {
        if (closed)
            throw new CohortkitError('closed', 'this client was closed; create a new one');
        return fn(...a);
    };
    return {
        get storage() { return store().kind; },
        consent: consent.api(live),
        track: live(async (event, props) => { const v = validateTrack(event, props); return segs.track(v.event, v.props); }),
        interests: { get: () => interests.get(), list: () => interests.list(),
            declare: live(async (ids) => { const r = await interests.declare(ids); if (r.changed)
                consent.post('signals'), emitSegments(await segs.memberships()); return { stored: r.stored, reason: r.reason }; }) },
        segments: live(() => segs.memberships()),
        explain: live(async (id) => { if (typeof id !== 'string')
            throw new CohortkitError('invalid-argument', 'segmentId: expected a string'); return segs.explain(id); }),
        decide: live((request) => personal.decide(request)),
        flush: live(() => reporting.flush()),
        exportData: live(async () => ({ exportedAt: opts.now(), consent: { state: consent.manager.get(), history: await consent.manager.history() }, signals: segs.exportSignals(), interests: interests.get(),
            segments: await segs.memberships(), ...(await reporting.exportData()), storage: store().kind, persistence: await persistence.state(store().kind === 'indexeddb') })),
        forget: live(async () => {
            await exclusive(async () => (await store().destroy(), dropAll()));
            consent.post('consent'), events.emit('consent', consent.manager.get()), emitSegments([]);
        }),
        on: (event, listener) => events.on(event, listener),
        catalog,
        purposes: opts.purposes.map((x) => ({ ...x })),
        async close() { if (closed)
            return; closed = true; close(); events.clear(); },
    };
}

// createClient composes the runtimes: consent (consent.ts), signals + segments (segments.ts),
// interests (interests.ts), reporting (reporting.ts, an add-on), personalization (an add-on: personalization-addon.ts).
const EXPIRE_EVERY_MS = 10 * 60_000;
/**
 * Create a cohortkit client: validates options (rejects with `invalid-options` naming the
 * path), opens storage (IndexedDB, or memory when it is unavailable), restores consent.
 * @param options see ClientOptions in API.md; everything is optional.
 */
async function createClient(options = {}) {
    const opts = normalizeOptions(options);
    const purposes = opts.purposes.map((p) => p.id);
    const catalog = compileSegments(opts.raw.segments ?? [], { purposes, interests: opts.interests.map((i) => i.id) });
    const events = createEmitter();
    const reportError = (e) => events.emit('error', isCohortkitError(e) ? e : new CohortkitError('storage', String(e), e));
    let closed = false;
    // The configured add-ons load (and validate `interop`, `report`, `cohorts`) while storage opens.
    const addons = startAddons(opts, purposes, catalog, reportError);
    // A forget() in another tab deletes the database under us: drop what this tab holds too (bound below).
    let deletedElsewhere = () => { };
    const real = await openStore({ storage: opts.storage, namespace: opts.namespace, encryptAtRest: opts.encryptAtRest, onError: reportError, onDeleted: () => deletedElsewhere() });
    const { connectInterop, spaces, createRuntime, context } = await addons(() => real.close());
    // Cold start: each store read once (one transaction); the start-up reads are served from it.
    let store = await primeStore(real);
    const persistence = createPersistence(opts.persistStorage && store.kind === 'indexeddb', reportError); // never awaited (Firefox prompts)
    const exclusive = createLock(`cohortkit:${opts.namespace}`);
    const isGranted = (p) => consent.manager.isGranted(p);
    const base = { store: () => store, now: opts.now, isGranted, exclusive };
    const retention = new Map(opts.purposes.map((p) => [p.id, p.retentionDays ?? opts.retentionDays]));
    const emitSegments = onlyChanges((list) => events.emit('segments', list));
    const interests = createInterestRuntime({ ...base, interests: opts.interests });
    const segs = createSegmentRuntime({ ...base, catalog, declared: () => interests.get(), onError: reportError, context,
        retentionDays: (ps) => Math.min(opts.retentionDays, ...ps.map((p) => retention.get(p) ?? opts.retentionDays)),
        onSegments: (m) => emitSegments(m), onSignals: () => consent.post('signals') });
    const reporting = createRuntime({ ...base, purposes, consentState: () => consent.manager.get(),
        members: () => { const explain = segs.evaluator(); return (id) => explain(id).member; }, onReport: (r) => events.emit('report', r), onError: reportError });
    const personal = createLazyPersonalization({ ...base, catalog, evaluator: () => segs.evaluator(), signals: () => segs.exportSignals(), track: (e, p) => segs.track(e, p), onError: reportError });
    // After a change here or in another tab (whose withdrawal purged the store there): drop what this tab still holds.
    const sweep = async () => (await interests.sweep(), await reporting.sweep(), emitSegments(await segs.sweep()));
    const consent = createConsentRuntime({ ...base, namespace: opts.namespace, purposes, policyVersion: opts.policyVersion, respectGPC: opts.respectGPC, onError: reportError,
        planPurge: (purpose, outbox) => { const r = reporting.planPurge(purpose, outbox); segs.forgetPurpose(purpose); interests.forgetPurpose(purpose); return { ops: [...r.ops, ...personal.planPurge(purpose)], reports: r.queued }; },
        onChange: (state) => (events.emit('consent', state), void sweep().catch(reportError)),
        onSignals: async () => (await interests.load(), await exclusive(() => segs.load()), emitSegments(await segs.memberships())) });
    // Everything this tab holds about the visitor, in memory (forget() here, or a deletion by a forget() elsewhere).
    const dropAll = () => (consent.manager.reset(), reporting.forget(), segs.forgetPurpose(), interests.forgetPurpose(), personal.forget());
    deletedElsewhere = () => (dropAll(), events.emit('consent', consent.manager.get()), emitSegments([]));
    const start = async () => (await consent.manager.init(), await interests.sweep(), await segs.sweep(), await reporting.sweep(), await segs.expire());
    // A store that fails mid-start: continue from memory rather than break the page.
    await start().catch(async (e) => (reportError(e), real.close(), (store = await openStore({ storage: 'memory', namespace: opts.namespace, onError: reportError })), start()));
    if (store !== real && 'release' in store)
        store.release(), (store = real);
    reporting.kick();
    const expiry = setInterval(() => (void segs.expire().catch(reportError), reporting.kick()), EXPIRE_EVERY_MS);
    expiry.unref?.();
    const disconnect = await connectInterop({ onError: reportError, state: () => consent.manager.get(), onConsent: (l) => events.on('consent', l),
        update: (choices, source) => { const known = Object.fromEntries(Object.entries(choices).filter(([p]) => purposes.includes(p))); if (!closed && Object.keys(known).length)
            void client.consent.update(known, { source }).catch(reportError); }, }).catch((e) => (reportError(e), () => { }));
    const client = createSurface(opts, () => store, events, consent, segs, interests, personal, reporting, persistence, exclusive, emitSegments, dropAll, () => catalogEntries(catalog, spaces, opts), () => ((closed = true), clearInterval(expiry), reporting.close(), disconnect(), consent.close(), store.close()));
    return client;
}

export { CAPS_KEY as C, EPOCHS_KEY as E, KEY_PATHS as K, LOCAL_ID_KEY as L, MEMO_KEY as M, PREFIX as P, STAMP_KEY as S, asStamp as a, LIFETIME_KEY as b, createClient as c, deletes as d, isEntry as i, purgeOutbox as p, relyingOn as r };
//# sourceMappingURL=index-DTcVH_tq.js.map
