import { C as CohortkitError } from './errors-Cp7kg1GW.js';
import { o as olhHash, f as fromBase64url, S as SS_MAX_K, s as subsetSize, m as mechanismParams, v as varianceOf, b as olhRange } from './ldp-ClVGeEjM.js';
import { timingSafeEqual, createHash } from 'node:crypto';

/**
 * Calls `fn(i)` for every cohort index i in [0, k) that the report supports
 * (GRR: its value; OUE: its set bits; SS: its items; OLH: every i with olhHash(i, seed, g) === value).
 * Assumes a validated report.
 */
function eachSupport(report, k, fn) {
    const r = report;
    if (r.mechanism === 'grr')
        fn(r.value);
    else if (r.mechanism === 'olh') {
        for (let i = 0; i < k; i++)
            if (olhHash(i, r.seed, r.g) === r.value)
                fn(i);
    }
    else {
        const b = fromBase64url(r.mechanism === 'ss' ? r.items : r.bits) ?? new Uint8Array(0);
        for (let i = 0; i < k && i >> 3 < b.length; i++)
            if ((b[i >> 3] >> (i & 7)) & 1)
                fn(i);
    }
}

const ID_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** Cohort ids of the built-in `consent` space: `purpose:state` joined by `|` (see consentSpace). */
const CONSENT_COHORT_RE = /^[a-z0-9][a-z0-9_-]{0,63}:(unset|granted|denied)(\|[a-z0-9][a-z0-9_-]{0,63}:(unset|granted|denied)){0,5}$/;
const isCohortId = (space, id) => ID_RE.test(id) || (space === 'consent' && CONSENT_COHORT_RE.test(id));
/** 22 characters of canonical unpadded base64url (the last carries 2 bits, the rest zero). */
const REPORT_ID_RE = /^[A-Za-z0-9_-]{21}[AQgw]$/;
const BASE = ['v', 'id', 'space', 'spaceVersion', 'epoch', 'k', 'mechanism', 'epsilon'];
const FIELDS = { grr: ['value'], oue: ['bits'], olh: ['seed', 'g', 'value'], ss: ['items'] };
/** True for a report id: exactly 22 characters, canonical unpadded base64url of 16 bytes. */
const isReportId = (id) => typeof id === 'string' && REPORT_ID_RE.test(id);
const isInt = (x, min, max) => Number.isInteger(x) && x >= min && x <= max;
/** The version a space reports under: `space.version ?? 1`. */
const spaceVersion = (space) => space.version ?? 1;
/**
 * Checks cohort spaces (ids, unique ids, at least one cohort, version) and returns them. With
 * `versions`, one id may appear once per version (several versions side by side).
 * Throws `CohortkitError('invalid-options')` naming the path, e.g. `spaces[1].cohorts[0].id`.
 */
function checkSpaces(spaces, path = 'spaces', versions = false) {
    const fail = (p, msg) => {
        throw new CohortkitError('invalid-options', `${p}: ${msg}`);
    };
    if (!Array.isArray(spaces))
        fail(path, 'expected an array of cohort spaces');
    const seen = new Set();
    spaces.forEach((s, i) => {
        const p = `${path}[${i}]`;
        if (typeof s !== 'object' || s === null)
            fail(p, 'expected an object');
        const { id, version, cohorts, fallback } = s;
        if (typeof id !== 'string' || !ID_RE.test(id))
            fail(`${p}.id`, 'expected an id like "lifecycle"');
        if (version !== undefined && !isInt(version, 1, 2147483647))
            fail(`${p}.version`, 'expected a positive integer (at most 2^31 − 1)');
        const key = versions ? `${id}@${version ?? 1}` : id;
        if (seen.has(key))
            fail(versions ? `${p}.version` : `${p}.id`, `duplicate space ${versions ? `"${id}" version ${version ?? 1}` : `id "${id}"`}`);
        seen.add(key);
        if (!Array.isArray(cohorts) || cohorts.length < 1)
            fail(`${p}.cohorts`, 'expected a non-empty array');
        const ids = new Set();
        cohorts.forEach((c, j) => {
            const cid = c?.id;
            if (typeof cid !== 'string' || !isCohortId(id, cid))
                fail(`${p}.cohorts[${j}].id`, 'expected an id');
            if (ids.has(cid))
                fail(`${p}.cohorts[${j}].id`, `duplicate cohort id "${cid}"`);
            ids.add(cid);
        });
        if (typeof fallback !== 'string' || !isCohortId(id, fallback))
            fail(`${p}.fallback`, 'expected a cohort id');
        if (ids.has(fallback))
            fail(`${p}.fallback`, `duplicate cohort id "${fallback}"`);
    });
    return spaces;
}
/**
 * Returns a strict checker of wire reports for these spaces (several versions of one id may be
 * given). It never throws; it returns a clean copy of exactly the values it checked, or
 * `{ ok: false, error }` with the field named (`"value: expected an integer in [0, 5)"`). Any
 * missing or extra field is an error; an ε outside `policy` is `epsilon: not accepted`.
 */
function createReportValidator(spaces, policy = {}) {
    const byId = new Map();
    for (const s of spaces)
        byId.set(s.id, (byId.get(s.id) ?? new Map()).set(spaceVersion(s), s));
    const versionsOf = (m) => [...m.keys()].sort((a, b) => a - b).join(' or ');
    const eps = policy.epsilons && new Set(policy.epsilons);
    const maxEps = policy.maxEpsilon ?? Infinity;
    const allowedOf = (m) => new Set(BASE.concat(FIELDS[m]));
    const ALLOWED = { grr: allowedOf('grr'), oue: allowedOf('oue'), olh: allowedOf('olh'), ss: allowedOf('ss') };
    const bad = (field, msg) => ({ ok: false, error: `${field}: ${msg}` });
    const check = (input) => {
        if (typeof input !== 'object' || input === null || Array.isArray(input))
            return bad('report', 'expected an object');
        const r = input;
        const { v, id, space, spaceVersion: sv, epoch, k, mechanism, epsilon } = r;
        const miss = [v, id, space, sv, epoch, k, mechanism, epsilon].indexOf(undefined);
        if (miss >= 0)
            return bad(BASE[miss], 'missing');
        if (v !== 1)
            return bad('v', 'expected 1');
        if (!isReportId(id))
            return bad('id', 'expected 22 characters of base64url (16 bytes)');
        const vs = typeof space === 'string' ? byId.get(space) : undefined;
        if (!vs)
            return bad('space', 'unknown space');
        const s = typeof sv === 'number' ? vs.get(sv) : undefined;
        if (!s)
            return bad('spaceVersion', `expected ${versionsOf(vs)}`);
        if (!isInt(epoch, 0, Number.MAX_SAFE_INTEGER))
            return bad('epoch', 'expected a non-negative integer');
        const kk = s.cohorts.length + 1;
        if (k !== kk)
            return bad('k', `expected ${kk}`);
        if (mechanism !== 'grr' && mechanism !== 'oue' && mechanism !== 'olh' && mechanism !== 'ss')
            return bad('mechanism', 'expected grr, oue, olh or ss');
        if (typeof epsilon !== 'number' || !(epsilon > 0) || epsilon === Infinity)
            return bad('epsilon', 'expected a finite number > 0');
        if (epsilon > maxEps || (eps && !eps.has(epsilon)))
            return bad('epsilon', 'not accepted');
        const { value, bits, items, seed, g } = r;
        const fields = FIELDS[mechanism];
        const m = fields.findIndex((f) => r[f] === undefined);
        if (m >= 0)
            return bad(fields[m], 'missing');
        let report;
        if (mechanism === 'oue' || mechanism === 'ss') {
            const f = mechanism === 'oue' ? 'bits' : 'items';
            const str = mechanism === 'oue' ? bits : items;
            const len = Math.ceil(kk / 8);
            const b = typeof str === 'string' ? fromBase64url(str) : undefined;
            if (!b || b.length !== len)
                return bad(f, `expected unpadded base64url of ${len} bytes`);
            if (kk & 7 && b[len - 1] >> (kk & 7))
                return bad(f, `bits at or above k (${kk}) must be zero`);
            if (mechanism === 'oue') {
                report = { v, id: id, space: space, spaceVersion: sv, epoch, k, mechanism, epsilon, bits: str };
            }
            else {
                if (kk > SS_MAX_K)
                    return bad('mechanism', `ss takes k ≤ ${SS_MAX_K}`);
                const d = subsetSize(kk, epsilon);
                let set = 0;
                for (const x of b)
                    for (let y = x; y; y &= y - 1)
                        set++;
                if (set !== d)
                    return bad('items', `expected exactly ${d} cohorts (d for k = ${kk}, ε = ${epsilon}), got ${set}`);
                report = { v, id: id, space: space, spaceVersion: sv, epoch, k, mechanism, epsilon, items: str };
            }
        }
        else if (mechanism === 'olh') {
            if (!isInt(seed, 0, 4294967295))
                return bad('seed', 'expected a uint32');
            if (!isInt(g, 2, 4294967296))
                return bad('g', 'expected an integer in [2, 2^32]');
            if (policy.olhRange && g !== policy.olhRange(epsilon))
                return bad('g', "expected cohortkit's OLH range for its ε: round(e^ε + 1)");
            if (!isInt(value, 0, g - 1))
                return bad('value', `expected an integer in [0, ${g})`);
            report = { v, id: id, space: space, spaceVersion: sv, epoch, k, mechanism, epsilon, seed, g, value };
        }
        else {
            if (!isInt(value, 0, kk - 1))
                return bad('value', `expected an integer in [0, ${kk})`);
            report = { v, id: id, space: space, spaceVersion: sv, epoch, k, mechanism, epsilon, value };
        }
        // Every field must be an own property, and nothing else may be there.
        const keys = Object.keys(r);
        const allowed = ALLOWED[mechanism];
        if (keys.length !== allowed.size || !keys.every((f) => allowed.has(f))) {
            const extra = keys.find((f) => !allowed.has(f));
            if (extra === undefined)
                return bad([...allowed].find((f) => !keys.includes(f)), 'missing');
            return bad(extra.length > 64 ? extra.slice(0, 64) + '…' : extra, 'unexpected field');
        }
        return { ok: true, report };
    };
    return (input) => {
        try {
            return check(input);
        }
        catch {
            return bad('report', 'unreadable');
        }
    };
}

/** The row key as a string: `space|spaceVersion|epoch|mechanism|k|epsilon|g`. */
const rowKey = (r) => `${r.space}|${r.spaceVersion}|${r.epoch}|${r.mechanism}|${r.k}|${r.epsilon}|${r.g}`;
const rowFor = (rows, key) => {
    const id = rowKey(key);
    let row = rows.get(id);
    if (!row) {
        const { space, spaceVersion, epoch, mechanism, k, epsilon, g } = key;
        row = { space, spaceVersion, epoch, mechanism, k, epsilon, g, n: 0, support: new Array(k).fill(0) };
        rows.set(id, row);
    }
    return row;
};
/** Adds one validated report to `rows` (keyed by {@link rowKey}) and returns its row. */
function addToRows(rows, report) {
    const { space, spaceVersion, epoch, mechanism, k, epsilon } = report;
    const g = mechanism === 'olh' ? report.g : 0;
    const row = rowFor(rows, { space, spaceVersion, epoch, mechanism, k, epsilon, g });
    row.n++;
    eachSupport(report, row.k, (i) => row.support[i]++);
    return row;
}
/** Adds the counts of `row` into `rows` (same key: counts summed). Does not keep a reference to `row`. */
function mergeRow(rows, row) {
    const into = rowFor(rows, row);
    into.n += row.n;
    row.support.forEach((s, i) => (into.support[i] += s));
    return into;
}
/**
 * Estimates cohort sizes of `space` from sufficient statistics. Rows of other spaces, versions,
 * k or epochs are ignored; rows with the same key are summed first. Per group (mechanism, ε, g):
 * est_i = (support_i − n·q)/(p − q), variance = n·q(1−q)/(p−q)² + max(0, est_i)·(1−p−q)/(p−q);
 * group estimates and variances are summed. Cohorts come in order, the fallback last.
 */
function estimateFromRows(rows, space, opts = {}) {
    const k = space.cohorts.length + 1;
    const ver = spaceVersion(space);
    const mine = [];
    for (const r of rows)
        if (r.space === space.id && r.spaceVersion === ver && r.k === k && r.n > 0)
            mine.push(r);
    let epoch = opts.epoch;
    if (epoch === undefined)
        for (const r of mine)
            if (epoch === undefined || r.epoch > epoch)
                epoch = r.epoch;
    const groups = new Map();
    for (const r of mine)
        if (r.epoch === epoch)
            mergeRow(groups, r);
    const est = new Array(k).fill(0);
    const vari = new Array(k).fill(0);
    let n = 0;
    for (const r of groups.values()) {
        const { p, q } = mechanismParams(r.mechanism, k, r.epsilon, r.g);
        n += r.n;
        for (let i = 0; i < k; i++) {
            const e = (r.support[i] - r.n * q) / (p - q);
            est[i] += e;
            vari[i] += varianceOf(p, q, r.n, Math.max(0, e));
        }
    }
    const { minCount } = opts;
    const cohorts = [...space.cohorts.map((c) => c.id), space.fallback].map((id, i) => {
        const stderr = Math.sqrt(Math.max(0, vari[i]));
        const ci95 = [est[i] - 1.96 * stderr, est[i] + 1.96 * stderr];
        return { id, estimate: est[i], stderr, ci95, suppressed: minCount !== undefined && ci95[0] < minCount };
    });
    return epoch === undefined ? { space: space.id, n, cohorts } : { space: space.id, epoch, n, cohorts };
}

// What stands between the public internet and the collector's statistics: the read token and the
// per-address report limit. Addresses live only in this process's memory, bounded, never persisted.
/** A read token: 16–512 visible ASCII characters (no spaces, no control characters). */
function checkReadToken(t, path = 'readToken') {
    if (typeof t !== 'string' || !/^[\x21-\x7e]{16,512}$/.test(t)) {
        throw new CohortkitError('invalid-options', `${path}: expected 16–512 visible ASCII characters (no spaces or control characters)`);
    }
    return t;
}
const digest = (s) => createHash('sha256').update(s, 'utf8').digest();
/**
 * Returns a check of `Authorization: Bearer <token>` against `token`, in constant time (both
 * sides hashed first, so neither the length nor a prefix leaks through timing).
 */
function createTokenCheck(token) {
    const want = digest(token);
    return (header) => {
        const m = typeof header === 'string' ? /^Bearer +([\x21-\x7e]{1,1024}) *$/i.exec(header) : null;
        // Always compare, even without a token, so a missing header costs what a wrong one does.
        const ok = timingSafeEqual(digest(m ? m[1] : ''), want);
        return ok && m !== null;
    };
}
/**
 * The client address a request counts against: the socket's peer, or with `trustProxy` the last
 * entry of X-Forwarded-For (the one the proxy in front of the collector appended). IPv6 addresses
 * count per /64 (one host usually holds a whole /64); IPv4-mapped IPv6 counts as IPv4.
 */
function clientAddress(req, trustProxy) {
    let a;
    if (trustProxy) {
        const h = req.headers['x-forwarded-for'];
        const list = (Array.isArray(h) ? h.join(',') : h ?? '').split(',');
        a = list[list.length - 1].trim() || undefined;
    }
    a = (a ?? req.socket.remoteAddress ?? '').slice(0, 64).toLowerCase();
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
    if (mapped)
        return mapped[1];
    return a.includes(':') ? prefix64(a) : a;
}
/** The first four groups of an IPv6 address (`2001:db8:1:2::/64`), `::` expanded. */
function prefix64(a) {
    const bare = a.replace(/^\[|\]$/g, '').split('%')[0];
    const [head, tail] = bare.split('::');
    const h = head ? head.split(':') : [];
    const t = tail === undefined ? [] : tail ? tail.split(':') : [];
    const groups = tail === undefined ? h : [...h, ...new Array(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
    return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
/**
 * Reports per client address in a sliding minute (the previous minute's count, weighted by how
 * much of it still overlaps the last 60 s, plus the current minute's). At most `maxAddresses`
 * are tracked, least recently seen forgotten first, so a flood from many addresses costs bounded
 * memory (~100 bytes an address); a forgotten address starts again from zero.
 */
function createAddressLimiter(limit, now, maxAddresses = 100_000) {
    const W = 60_000;
    const seen = new Map();
    return {
        get size() {
            return seen.size;
        },
        take(address, n) {
            const t = now();
            const start = t - (t % W);
            let e = seen.get(address);
            if (e)
                seen.delete(address); // re-inserted last: the Map's order is least recently seen first
            else
                e = { start, prev: 0, cur: 0 };
            if (e.start !== start)
                (e.prev = start - e.start === W ? e.cur : 0), (e.cur = 0), (e.start = start);
            const weight = 1 - (t - start) / W;
            const used = e.prev * weight + e.cur;
            seen.set(address, e);
            if (seen.size > maxAddresses)
                seen.delete(seen.keys().next().value);
            if (used + n <= limit) {
                e.cur += n;
                return 0;
            }
            // When will prev·(1 − x/W) + cur + n fit? In this minute if cur + n ≤ limit, else in the next.
            if (e.cur + n <= limit && e.prev > 0)
                return Math.max(1, Math.ceil((W * (1 - (limit - n - e.cur) / e.prev) - (t - start)) / 1000));
            const nextWait = e.cur > 0 ? W * (1 - Math.max(0, limit - n) / e.cur) : 0;
            return Math.min(120, Math.max(1, Math.ceil((start + W - t + Math.max(0, nextWait)) / 1000)));
        },
    };
}

const DAY_MS = 86_400_000;
/** The UTC day number of a time in ms. */
const dayOf = (ms) => Math.floor(ms / DAY_MS);
/** The epochs accepted on `today`: `[today − days, today + 1]`. */
const windowOf = (today, days) => ({ from: today - days, to: today + 1 });
/**
 * Splits a batch by the window of `today` (the clock's day, never a report's): `fresh` inside
 * `[today − days, today + 1]`, `stale` before it, `future` after it.
 */
function splitByWindow(reports, today, days) {
    const { from, to } = windowOf(today, days);
    const fresh = [];
    const stale = [];
    const future = [];
    for (const r of reports) {
        if (r.epoch < from)
            stale.push(r.id);
        else if (r.epoch > to)
            future.push(r.id);
        else
            fresh.push(r);
    }
    return { fresh, stale, future, horizon: from };
}
/** The group of a report within its (space, version, epoch): `mechanism|k|ε|g`. */
const groupOf = (r) => `${r.mechanism}|${r.k}|${r.epsilon}|${r.mechanism === 'olh' ? r.g : 0}`;
/** Checks a `maxGroups` value (default 8). */
function checkMaxGroups(m = 8, path = 'store.maxGroups') {
    if (!Number.isSafeInteger(m) || m < 1 || m > 1_000_000)
        throw new CohortkitError('invalid-options', `${path}: expected an integer in [1, 1000000]`);
    return m;
}
/** Checks a `dedupeDays` value (default 8). */
function checkDays(d = 8, path = 'store.dedupeDays') {
    if (!Number.isSafeInteger(d) || d < 0 || d > 3660)
        throw new CohortkitError('invalid-options', `${path}: expected an integer in [0, 3660]`);
    return d;
}
/** `store.thread` (PGlite's worker thread): undefined (the machine decides) or a boolean. */
function checkThread(t) {
    if (t !== undefined && typeof t !== 'boolean')
        throw new CohortkitError('invalid-options', 'store.thread: expected true or false');
    return t;
}
/**
 * Opens the store named by `opt` (PGlite and pg are imported only when used). Returns a custom
 * {@link CollectorStore} as is.
 */
async function openStore(opt) {
    if ('addBatch' in opt)
        return opt;
    if ('dataDir' in opt) {
        await needDriver('store.dataDir', '@electric-sql/pglite', () => import('@electric-sql/pglite'));
        return (await import('./store-pglite-BdRlXMVi.js')).createPGliteStore(opt);
    }
    await needDriver('store.databaseUrl', 'pg', () => import('pg'));
    return (await import('./store-postgres-DNOxqL_d.js')).createPostgresStore(opt);
}
/**
 * Loads a store's driver. The drivers are optional peer dependencies: a missing one fails with
 * `invalid-options` naming the package and the install command; other failures pass unchanged.
 */
async function needDriver(path, pkg, load) {
    try {
        await load();
    }
    catch (e) {
        const code = e?.code;
        if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND')
            throw e;
        throw new CohortkitError('invalid-options', `${path}: this store needs ${pkg}, which is not installed; run: npm install ${pkg}`, e);
    }
}

const bad = (msg) => {
    throw new CohortkitError('invalid-options', msg);
};
/** Checks collector options; throws `invalid-options` naming the option. */
function checkCollectorOptions(opts) {
    if (typeof opts !== 'object' || opts === null)
        bad('options: expected an object');
    const spaces = checkSpaces(opts.spaces, 'spaces', true);
    const { minCount, allowOrigins, log, now = Date.now, rateLimit = { requests: 200, perMs: 1000 } } = opts;
    const { epsilons, readToken, perAddressLimit = 600, trustProxy = false } = opts;
    if (minCount !== undefined && !(typeof minCount === 'number' && minCount >= 0 && minCount < Infinity))
        bad('minCount: expected a finite number ≥ 0');
    if (allowOrigins !== undefined && !(Array.isArray(allowOrigins) && allowOrigins.every((o) => typeof o === 'string'))) {
        bad('allowOrigins: expected an array of origins like "https://example.com"');
    }
    if (rateLimit !== false && !(typeof rateLimit === 'object' && rateLimit !== null && rateLimit.requests >= 1 && rateLimit.perMs > 0 && rateLimit.requests < Infinity && rateLimit.perMs < Infinity)) {
        bad('rateLimit: expected { requests ≥ 1, perMs > 0 } or false');
    }
    if (typeof now !== 'function')
        bad('now: expected a function returning ms');
    if (log !== undefined && typeof log !== 'function')
        bad('log: expected a function');
    const so = opts.store;
    if (so !== undefined && (typeof so !== 'object' || so === null || !('addBatch' in so || 'dataDir' in so || 'databaseUrl' in so))) {
        bad('store: expected { dataDir } or { databaseUrl }');
    }
    // The store opens on first use: a bad thread option is refused here, at start.
    if (so && 'dataDir' in so)
        checkThread(so.thread);
    if (epsilons !== undefined && !(Array.isArray(epsilons) && epsilons.length >= 1 && epsilons.length <= 64 && epsilons.every((e) => typeof e === 'number' && e > 0 && e < Infinity))) {
        bad('epsilons: expected 1 to 64 finite numbers > 0');
    }
    if (readToken !== undefined)
        checkReadToken(readToken);
    if (perAddressLimit !== false && !(Number.isSafeInteger(perAddressLimit) && perAddressLimit >= 1 && perAddressLimit <= 1e9)) {
        bad('perAddressLimit: expected an integer in [1, 1e9] (reports per minute) or false');
    }
    if (typeof trustProxy !== 'boolean')
        bad('trustProxy: expected true or false');
    if (opts.publish !== undefined && opts.publish !== 'unsuppressed' && opts.publish !== 'all')
        bad('publish: expected "unsuppressed" or "all"');
    return {
        ...opts,
        spaces,
        now,
        rateLimit,
        perAddressLimit,
        trustProxy,
        dedupeDays: checkDays(opts.dedupeDays, 'dedupeDays'),
        maxGroups: checkMaxGroups(opts.maxGroups, 'maxGroups'),
    };
}

/**
 * Group commit over a {@link CollectorStore}: requests that arrive while a transaction runs (or in
 * the same event-loop turn) are committed together in the next one, so a store doing one
 * transaction at a time serves many requests with it. Exactly as if the requests had been added
 * one after another in arrival order: a request sharing an id with one already in the forming
 * group, or dated on another day, starts the next group instead (so the store sees distinct ids
 * and the later request gets `duplicate` from the store, exactly as sequentially). A failed
 * transaction rejects every request in it and persists nothing; the others are unaffected.
 */
function createGroupCommit(store, opts = {}) {
    const maxReports = opts.maxReports ?? 2000;
    const windowMs = opts.windowMs ?? 2;
    const queue = [];
    let running = false;
    /** While waiting for the next group: ends the wait (when `want` requests are queued). */
    let wake;
    let want = 0;
    /** Takes the longest prefix of the queue that fits one transaction (at least one request). */
    const take = () => {
        const group = [];
        const ids = new Set();
        let size = 0;
        while (queue.length) {
            const p = queue[0];
            if (group.length && (p.today !== group[0].today || size + p.reports.length > maxReports || p.reports.some((r) => ids.has(r.id))))
                break;
            queue.shift();
            group.push(p);
            size += p.reports.length;
            for (const r of p.reports)
                ids.add(r.id);
        }
        return group;
    };
    const commit = async (group) => {
        const all = group.flatMap((p) => p.reports);
        opts.onGroup?.(group.length, all.length);
        let out;
        try {
            out = await (await store()).addBatch(all, group[0].today);
        }
        catch (e) {
            for (const p of group)
                p.reject(e);
            return;
        }
        if (group.length === 1)
            return group[0].resolve(out);
        // Each request gets the outcome of its own reports (ids are distinct across the group).
        const owner = new Map();
        group.forEach((p, i) => p.reports.forEach((r) => owner.set(r.id, i)));
        const parts = group.map(() => ({ duplicateIds: [], staleIds: [], futureIds: [], groupLimitIds: [] }));
        for (const key of ['duplicateIds', 'staleIds', 'futureIds', 'groupLimitIds']) {
            for (const id of out[key] ?? []) {
                const i = owner.get(id);
                if (i !== undefined)
                    parts[i][key].push(id);
            }
        }
        group.forEach((p, i) => p.resolve(parts[i]));
    };
    const drain = async () => {
        try {
            while (queue.length) {
                const group = take();
                await commit(group);
                // The requests just answered usually come back within moments: wait (up to windowMs) until
                // they and the ones already queued can share the next transaction, so groups do not settle
                // into halves that alternate (each paying a commit).
                // (No wait when the queue alone already fills a transaction.)
                if (windowMs > 0 && queue.reduce((n, p) => n + p.reports.length, 0) < maxReports) {
                    want = queue.length + group.length;
                    await new Promise((resolve) => {
                        // Woken: still let the requests parsed in this event-loop turn join.
                        const t = setTimeout((wake = () => (clearTimeout(t), (wake = undefined), setImmediate(resolve))), windowMs);
                    });
                }
            }
        }
        finally {
            running = false;
        }
    };
    return {
        add(reports, today) {
            return new Promise((resolve, reject) => {
                queue.push({ reports, today, resolve, reject });
                if (wake && queue.length >= want)
                    wake();
                if (running)
                    return;
                running = true;
                // Requests parsed in the same event-loop turn join the first transaction too.
                setImmediate(() => void drain());
            });
        },
    };
}

/** Largest accepted request body: 256 KiB. */
const BODY_LIMIT = 256 * 1024;
/** Sends JSON with `cache-control: no-store` (never a cookie). */
function sendJson(res, status, body, headers = {}) {
    if (res.headersSent)
        return void res.end();
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, {
        ...headers,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        ...(text && { 'content-type': 'application/json; charset=utf-8' }),
        'content-length': String(Buffer.byteLength(text)),
    });
    res.end(text);
}
/**
 * Reads a request body up to `limit` bytes. Past it, the rest is drained (not kept) and the
 * result is `'too-large'`. Rejects when the client goes away.
 */
function readBody(req, limit = BODY_LIMIT) {
    return new Promise((resolve, reject) => {
        const chunks = [];
        let size = 0;
        req.on('data', (c) => {
            size += c.length;
            if (size <= limit)
                chunks.push(c);
            else if (size > 64 * limit)
                req.destroy(); // not draining forever
        });
        req.on('end', () => resolve(size > limit ? 'too-large' : Buffer.concat(chunks)));
        req.on('error', reject);
        req.on('close', () => reject(new Error('request closed')));
    });
}
/** A token bucket per connection: `requests` per `perMs`, with bursts up to `requests`. */
function createRateLimiter(requests, perMs, now) {
    const buckets = new WeakMap();
    return (key) => {
        const t = now();
        const b = buckets.get(key) ?? { tokens: requests, at: t };
        // A clock that steps back (NTP, a QA clock) refills nothing rather than draining the bucket.
        b.tokens = Math.min(requests, b.tokens + (Math.max(0, t - b.at) * requests) / perMs);
        b.at = t;
        buckets.set(key, b);
        if (b.tokens < 1)
            return false;
        b.tokens--;
        return true;
    };
}
/** The media type of a content-type header, lowercased, without parameters. */
const mediaType = (h) => (h ?? '').split(';')[0].trim().toLowerCase();

/**
 * The publication rule of `publish: 'unsuppressed'`: suppressed cohorts are withheld (nulls), and
 * when exactly one would be, the smallest published other one is withheld too (complementary
 * suppression). Without it, a single withheld cell of a mechanism whose estimates sum to n (GRR,
 * subset selection) would be n − Σ published; with it, only the sum of the withheld cells remains
 * derivable. A publication rule, not the privacy guarantee (that is ε-LDP, per report).
 */
function publishCohorts(cohorts) {
    const hidden = new Set(cohorts.filter((c) => c.suppressed));
    if (hidden.size === 1 && cohorts.length > 1) {
        let min;
        for (const c of cohorts)
            if (!hidden.has(c) && (min === undefined || c.estimate < min.estimate))
                min = c;
        hidden.add(min);
    }
    return cohorts.map((c) => (hidden.has(c) ? { ...c, suppressed: true, estimate: null, stderr: null, ci95: null } : c));
}

// Why reports were refused, counted in memory per (collector day, space): what a QA person or an
// operator needs to see instead of a silent 0. Bounded whatever is sent.
const MAX_REASONS = 32;
/**
 * The reason as counted: field names an attacker chose (`<field>: unexpected field`) collapse to
 * one reason, numbers derived from the sender's ε are masked, so the set of reasons stays small.
 */
const reasonOf = (error) => {
    if (/: unexpected field$/.test(error))
        return 'report: unexpected field';
    // A message quoting the sender's ε (and what follows from it) is counted without the numbers.
    return (/ε = /.test(error) ? error.replace(/\d+(\.\d+)?(e[+-]?\d+)?/gi, '#') : error).slice(0, 120);
};
/** Keeps the last `days` + 2 collector days; at most 32 reasons per (day, space), then `other`. */
function createRejectionLog(days, spaces) {
    const byDay = new Map();
    const maxSpaces = spaces + 1;
    return {
        add(day, space, reason, n = 1) {
            let d = byDay.get(day);
            if (!d) {
                byDay.set(day, (d = new Map()));
                for (const k of byDay.keys())
                    if (k < day - days - 1 || k > day + 1)
                        byDay.delete(k);
            }
            if (!d.has(space) && d.size >= maxSpaces)
                space = '*';
            let s = d.get(space);
            if (!s)
                d.set(space, (s = new Map()));
            const key = s.has(reason) || s.size < MAX_REASONS - 1 ? reason : 'other';
            s.set(key, (s.get(key) ?? 0) + n);
        },
        get(day, space) {
            return Object.fromEntries(byDay.get(day)?.get(space) ?? []);
        },
        all() {
            const out = {};
            for (const [day, d] of [...byDay].sort((a, b) => a[0] - b[0])) {
                out[day] = Object.fromEntries([...d].map(([sp, m]) => [sp, Object.fromEntries(m)]));
            }
            return out;
        },
    };
}

/**
 * An in-memory {@link CollectorStore}: lost on exit. Ids are remembered within the epoch window
 * and up to `maxIds` (oldest forgotten first, so a replay older than that counts again).
 */
function createMemoryStore(opts = {}) {
    const days = checkDays(opts.dedupeDays);
    const maxGroups = checkMaxGroups(opts.maxGroups);
    const { now = Date.now, reservedGroup = () => false } = opts;
    const maxIds = opts.maxIds ?? 1_000_000;
    const rows = new Map();
    /** `space|version|epoch` → its groups (`mechanism|k|ε|g`). */
    const groups = new Map();
    const ids = new Map();
    let prunedFor;
    const copy = (r) => ({ ...r, support: r.support.slice() });
    return {
        kind: 'memory',
        async init() { },
        async addBatch(reports, today = dayOf(now())) {
            const w = splitByWindow(reports, today, days);
            if (prunedFor !== today) {
                prunedFor = today;
                for (const [id, e] of ids)
                    if (e < w.horizon || e > today + 1)
                        ids.delete(id);
                for (const at of groups.keys())
                    if (Number(at.split('|')[2]) < w.horizon)
                        groups.delete(at);
            }
            const duplicateIds = [];
            const groupLimitIds = [];
            const delta = new Map();
            for (const r of w.fresh) {
                const at = `${r.space}|${r.spaceVersion}|${r.epoch}`;
                const set = groups.get(at) ?? new Set();
                const g = groupOf(r);
                if (!set.has(g) && set.size >= maxGroups && !reservedGroup(r))
                    groupLimitIds.push(r.id);
                else if (ids.has(r.id))
                    duplicateIds.push(r.id);
                else {
                    set.add(g);
                    groups.set(at, set);
                    ids.set(r.id, r.epoch);
                    if (ids.size > maxIds)
                        ids.delete(ids.keys().next().value);
                    addToRows(delta, r);
                }
            }
            for (const r of delta.values())
                mergeRow(rows, r);
            return { duplicateIds, staleIds: w.stale, futureIds: w.future, groupLimitIds };
        },
        async rows(space, epoch) {
            return [...rows.values()].filter((r) => r.space === space && (epoch === undefined || r.epoch === epoch)).map(copy);
        },
        async epochs(space, version) {
            const mine = [...rows.values()].filter((r) => r.space === space && (version === undefined || r.spaceVersion === version));
            return [...new Set(mine.map((r) => r.epoch))].sort((a, b) => a - b);
        },
        async close() { },
    };
}

const ROUTES = { '/v1/reports': 'POST', '/v1/estimates': 'GET', '/v1/spaces': 'GET', '/healthz': 'GET' };
/** What a refused report's `error` says, by store outcome. */
const REJECTION = {
    duplicate: 'duplicate',
    stale: 'epoch: older than the dedupe window',
    future: 'epoch: in the future',
    epsilon: 'epsilon: not accepted',
};
/**
 * Creates the reference collector: a `node:http` request handler, returned synchronously (the
 * store opens on the first request). Throws `invalid-options` for bad options.
 */
function createCollector(opts) {
    const o = checkCollectorOptions(opts);
    const { spaces, estimator, minCount, allowOrigins, log, now, rateLimit, dedupeDays, maxGroups, trustProxy } = o;
    const so = o.store;
    // With `epsilons`, the groups honest clients use (each ε, each mechanism, OLH's own g) are
    // reserved: no flood of other groups can crowd them out of `maxGroups`.
    const eps = o.epsilons && new Set(o.epsilons);
    const reservedGroup = eps && ((r) => eps.has(r.epsilon) && (r.mechanism !== 'olh' || r.g === olhRange(r.epsilon)));
    const storeOpt = so && !('addBatch' in so) ? { dedupeDays, maxGroups, now, reservedGroup, ...so } : so;
    const versions = new Map();
    for (const sp of spaces)
        versions.set(sp.id, (versions.get(sp.id) ?? new Map()).set(spaceVersion(sp), sp));
    const validate = createReportValidator(spaces, { ...(o.epsilons ? { epsilons: o.epsilons } : { maxEpsilon: 20 }), olhRange });
    const allow = rateLimit ? createRateLimiter(rateLimit.requests, rateLimit.perMs, now) : () => true;
    const perAddress = o.perAddressLimit === false ? undefined : createAddressLimiter(o.perAddressLimit, now);
    const authorized = o.readToken === undefined ? () => true : createTokenCheck(o.readToken);
    const rejections = createRejectionLog(dedupeDays, versions.size);
    /** The collector's UTC day; a clock returning garbage falls back to the system clock. */
    const today = () => {
        const t = now();
        return dayOf(Number.isFinite(t) ? t : Date.now());
    };
    let store;
    let opened;
    const getStore = () => (store ??= (storeOpt ? openStore(storeOpt) : Promise.resolve(createMemoryStore({ dedupeDays, maxGroups, now, reservedGroup }))).then(async (s) => {
        opened = s;
        await s.init();
        return s;
    })).catch((e) => {
        store = undefined; // retried on the next request
        throw e;
    });
    // Concurrent POSTs share store transactions; each still answers only once its reports are durable.
    const group = createGroupCommit(getStore);
    const inflight = new Set();
    let closing;
    const unavailable = (e) => ({ error: `store unavailable: ${e instanceof Error ? e.message : String(e)}` });
    async function postReports(req, res, h) {
        const type = mediaType(req.headers['content-type']);
        if (type !== 'text/plain' && type !== 'application/json') {
            req.resume();
            return sendJson(res, 415, { error: 'content-type: expected text/plain or application/json' }, h);
        }
        if (Number(req.headers['content-length']) > BODY_LIMIT) {
            req.resume();
            return sendJson(res, 413, { error: `body: larger than ${BODY_LIMIT} bytes` }, { ...h, connection: 'close' });
        }
        const body = await readBody(req);
        if (body === 'too-large')
            return sendJson(res, 413, { error: `body: larger than ${BODY_LIMIT} bytes` }, h);
        let input;
        try {
            input = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
        }
        catch (e) {
            return sendJson(res, 400, { error: `malformed JSON: ${e instanceof Error ? e.message.slice(0, 200) : 'unreadable'}` }, h);
        }
        if (typeof input !== 'object' || input === null)
            return sendJson(res, 400, { error: 'body: expected a report object or an array of reports' }, h);
        const items = Array.isArray(input) ? input : [input];
        const wait = perAddress?.take(clientAddress(req, trustProxy), Math.max(1, items.length)) ?? 0;
        if (wait > 0)
            return sendJson(res, 429, { error: 'rate limited: too many reports from this address' }, { ...h, 'retry-after': String(wait) });
        const day = today();
        const rejected = [];
        const valid = [];
        const seen = new Set();
        items.forEach((item, index) => {
            const r = validate(item);
            if (!r.ok)
                rejected.push({ index, error: r.error });
            else if (seen.has(r.report.id))
                rejected.push({ index, error: REJECTION.duplicate });
            else
                seen.add(r.report.id), valid.push({ index, report: r.report });
        });
        // The window is the collector's (a custom store may not check it); the store checks it too.
        const w = splitByWindow(valid.map((v) => v.report), day, dedupeDays);
        const why = new Map([...w.stale.map((id) => [id, REJECTION.stale]), ...w.future.map((id) => [id, REJECTION.future])]);
        const ok = valid.filter((v) => !why.has(v.report.id));
        if (ok.length) {
            try {
                const out = await group.add(ok.map((v) => v.report), day);
                for (const id of out.duplicateIds)
                    why.set(id, REJECTION.duplicate);
                for (const id of out.staleIds)
                    why.set(id, REJECTION.stale);
                for (const id of out.futureIds ?? [])
                    why.set(id, REJECTION.future);
                for (const id of out.groupLimitIds ?? [])
                    why.set(id, REJECTION.epsilon);
            }
            catch (e) {
                return sendJson(res, 503, unavailable(e), h);
            }
        }
        let accepted = 0;
        for (const { index, report } of valid) {
            const error = why.get(report.id);
            if (error)
                rejected.push({ index, error });
            else
                accepted++, estimator?.add(report);
        }
        rejected.sort((a, b) => a.index - b.index);
        let dup = 0;
        for (const { index, error } of rejected) {
            const sp = items[index]?.space;
            rejections.add(day, typeof sp === 'string' && versions.has(sp) ? sp : '*', reasonOf(error));
            if (error === REJECTION.duplicate)
                dup++;
        }
        const t = now();
        log?.(`${new Date(Number.isFinite(t) ? t : Date.now()).toISOString()} batch: ${items.length} received, ${accepted} accepted, ${rejected.length} rejected (${dup} duplicate)`);
        sendJson(res, 202, { accepted, rejected }, h);
    }
    /** The newest epoch with reports that is not after tomorrow (a poisoned far-future row never wins). */
    const latestEpoch = (epochs) => epochs.filter((e) => e <= today() + 1).at(-1);
    async function getEstimates(url, res, h) {
        const id = url.searchParams.get('space');
        const ep = url.searchParams.get('epoch');
        const ver = url.searchParams.get('version');
        if (!id)
            return sendJson(res, 400, { error: 'space: missing (?space=<id>)' }, h);
        const vs = versions.get(id);
        if (!vs)
            return sendJson(res, 404, { error: `space: unknown space "${id.slice(0, 64)}"` }, h);
        if (ver !== null && !/^[1-9]\d{0,9}$/.test(ver))
            return sendJson(res, 400, { error: 'version: expected a positive integer' }, h);
        const space = ver === null ? vs.get(Math.max(...vs.keys())) : vs.get(Number(ver));
        if (!space)
            return sendJson(res, 404, { error: `version: space "${id}" has no version ${ver}` }, h);
        if (ep !== null && !/^\d{1,9}$/.test(ep))
            return sendJson(res, 400, { error: 'epoch: expected a non-negative integer (days since 1970-01-01)' }, h);
        let epoch = ep === null ? undefined : Number(ep);
        const version = spaceVersion(space);
        let est;
        if (estimator && !storeOpt)
            est = estimator.estimate(id, epoch);
        else {
            const s = await getStore();
            epoch ??= latestEpoch(await s.epochs(id, version));
            est = estimateFromRows(epoch === undefined ? [] : await s.rows(id, epoch), space, { minCount, epoch });
        }
        // Small cohorts are withheld on the wire (with complementary suppression) unless the operator publishes everything.
        const cohorts = o.publish === 'all' ? est.cohorts : publishCohorts(est.cohorts);
        sendJson(res, 200, { ...est, cohorts, version, rejected: rejections.get(est.epoch ?? today(), id) }, h);
    }
    async function getSpaces(res, h) {
        const s = await getStore();
        const day = today();
        const out = await Promise.all(spaces.map(async (sp) => ({
            id: sp.id,
            version: spaceVersion(sp),
            description: sp.description,
            k: sp.cohorts.length + 1,
            cohorts: [...sp.cohorts.map((c) => c.id), sp.fallback],
            epochs: (await s.epochs(sp.id, spaceVersion(sp))).filter((e) => e <= day + 1),
        })));
        sendJson(res, 200, { spaces: out, today: day, rejected: rejections.all() }, h);
    }
    async function handle(req, res) {
        const url = new URL(req.url ?? '/', 'http://collector.invalid');
        const method = ROUTES[url.pathname];
        const origin = req.headers.origin;
        const h = {};
        if (origin !== undefined) {
            if (allowOrigins && !allowOrigins.includes(origin)) {
                req.resume();
                return sendJson(res, 403, { error: 'origin: not allowed' });
            }
            h['access-control-allow-origin'] = allowOrigins ? origin : '*';
            h.vary = 'origin';
        }
        if (!method) {
            req.resume();
            return sendJson(res, 404, { error: `not found: ${url.pathname.slice(0, 100)}` }, h);
        }
        if (req.method === 'OPTIONS') {
            req.resume();
            return sendJson(res, 204, undefined, {
                ...h,
                'access-control-allow-methods': `${method}, OPTIONS`,
                'access-control-allow-headers': 'content-type, authorization',
                'access-control-max-age': '600',
            });
        }
        if (req.method !== method) {
            req.resume();
            return sendJson(res, 405, { error: `method: expected ${method}` }, { ...h, allow: `${method}, OPTIONS` });
        }
        if (!allow(req.socket)) {
            req.resume();
            return sendJson(res, 429, { error: 'rate limited: too many requests on this connection' }, { ...h, 'retry-after': '1' });
        }
        if (method === 'GET' && url.pathname !== '/healthz' && !authorized(req.headers.authorization)) {
            req.resume();
            const bearer = req.headers.authorization === undefined ? 'Bearer realm="cohortkit"' : 'Bearer realm="cohortkit", error="invalid_token"';
            return sendJson(res, 401, { error: 'authorization: expected Authorization: Bearer <read token>' }, { ...h, 'www-authenticate': bearer });
        }
        try {
            if (method === 'POST')
                return await postReports(req, res, h);
            if (url.pathname === '/v1/estimates')
                return await getEstimates(url, res, h);
            if (url.pathname === '/v1/spaces')
                return await getSpaces(res, h);
            await getStore();
            sendJson(res, 200, { ok: true, store: opened?.kind ?? 'memory' }, h);
        }
        catch (e) {
            sendJson(res, 503, unavailable(e), h);
        }
    }
    const handler = ((req, res) => {
        if (closing) {
            req.resume();
            return sendJson(res, 503, { error: 'collector is shutting down' }, { connection: 'close' });
        }
        const p = handle(req, res)
            .catch(() => {
            if (!res.headersSent)
                sendJson(res, 500, { error: 'internal error' });
            else
                res.destroy();
        })
            .finally(() => inflight.delete(p));
        inflight.add(p);
    });
    handler.close = () => (closing ??= (async () => {
        while (inflight.size)
            await Promise.allSettled([...inflight]);
        const s = store && (await store.catch(() => undefined));
        await s?.close();
    })());
    return handler;
}

const TYPES = {
    '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
    '.css': 'text/css; charset=utf-8', '.json': 'application/json; charset=utf-8', '.map': 'application/json; charset=utf-8',
    '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.txt': 'text/plain; charset=utf-8',
};
/** Serves `dir` under `prefix`; resolves false when the path is not under `prefix`. */
async function serveStatic(req, res, dir, prefix) {
    const path = await import('node:path');
    const fs = await import('node:fs/promises');
    const url = (req.url ?? '/').split('?')[0];
    if (!url.startsWith(prefix))
        return false;
    const fail = (status) => (res.writeHead(status, { 'content-type': 'text/plain' }).end(String(status)), true);
    if (req.method !== 'GET' && req.method !== 'HEAD')
        return fail(405);
    let rel;
    try {
        rel = decodeURIComponent(url.slice(prefix.length)) || 'index.html';
    }
    catch {
        return fail(400);
    }
    if (rel.includes('\0') || rel.split(/[\\/]/).includes('..'))
        return fail(404);
    try {
        const root = await fs.realpath(dir);
        let file = await fs.realpath(path.resolve(root, rel));
        if (file !== root && !file.startsWith(root + path.sep))
            return fail(404);
        if ((await fs.stat(file)).isDirectory())
            file = path.join(file, 'index.html');
        const data = await fs.readFile(file);
        res.writeHead(200, {
            'content-type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
            'content-length': String(data.length),
            'cache-control': 'no-cache',
            'x-content-type-options': 'nosniff',
        });
        res.end(req.method === 'HEAD' ? undefined : data);
    }
    catch {
        fail(404);
    }
    return true;
}
/**
 * Starts a `node:http` server with the collector (and optional static files) and resolves when it
 * listens. Closing stops listening, drains in-flight batches and closes the store.
 */
async function startCollectorServer(opts) {
    const { port = 0, host = '127.0.0.1', static: st, ...rest } = opts;
    const collector = createCollector(rest);
    const http = await import('node:http');
    const server = http.createServer({ requestTimeout: 15_000, headersTimeout: 10_000, keepAliveTimeout: 5_000 }, (req, res) => {
        if (!st)
            return collector(req, res);
        serveStatic(req, res, st.dir, st.prefix).then((done) => done || collector(req, res), () => res.destroy());
    });
    await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
    });
    const addr = server.address();
    let closed;
    return {
        url: `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`,
        collector,
        close: () => (closed ??= (async () => {
            const stopped = new Promise((r) => server.close(r));
            server.closeIdleConnections();
            await collector.close();
            await stopped;
        })()),
    };
}
/**
 * Parses `cohortkit-collector` arguments (env: COHORTKIT_DATA_DIR, DATABASE_URL). A flag wins over
 * the environment: `--data-dir` ignores DATABASE_URL and `--database-url` ignores COHORTKIT_DATA_DIR;
 * both flags at once is an error. Throws `invalid-options`.
 */
function parseCollectorArgs(argv, env = {}) {
    const o = { port: 8787, host: '127.0.0.1', allowOrigins: [], memory: false, help: false };
    for (let i = 0; i < argv.length; i++) {
        const [flag, inline] = argv[i].startsWith('--') && argv[i].includes('=') ? argv[i].split(/=(.*)/s) : [argv[i]];
        const value = () => {
            const v = inline ?? argv[++i];
            if (v === undefined)
                throw new CohortkitError('invalid-options', `${flag}: expected a value`);
            return v;
        };
        if (flag === '--port') {
            o.port = Number(value());
            if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535)
                throw new CohortkitError('invalid-options', '--port: expected 0-65535');
        }
        else if (flag === '--host')
            o.host = value();
        else if (flag === '--data-dir')
            o.dataDir = value();
        else if (flag === '--database-url')
            o.databaseUrl = value();
        else if (flag === '--allow-origin')
            o.allowOrigins.push(value());
        else if (flag === '--config')
            o.config = value();
        else if (flag === '--memory')
            o.memory = true;
        else if (flag === '--read-token')
            o.readToken = checkReadToken(value(), '--read-token');
        else if (flag === '--trust-proxy')
            o.trustProxy = true;
        else if (flag === '--help' || flag === '-h')
            o.help = true;
        else
            throw new CohortkitError('invalid-options', `${flag}: unknown option (try --help)`);
    }
    if (o.dataDir !== undefined && o.databaseUrl !== undefined)
        throw new CohortkitError('invalid-options', '--data-dir, --database-url: choose one store');
    if (o.readToken === undefined && env.COHORTKIT_READ_TOKEN !== undefined)
        o.readToken = checkReadToken(env.COHORTKIT_READ_TOKEN, 'COHORTKIT_READ_TOKEN');
    if (o.dataDir === undefined && o.databaseUrl === undefined) {
        o.databaseUrl = env.DATABASE_URL;
        if (o.databaseUrl === undefined)
            o.dataDir = env.COHORTKIT_DATA_DIR;
    }
    return o;
}
const USAGE = `Usage: cohortkit-collector --config spaces.json [options]
  --config <file>        { "spaces": CohortSpace[], "minCount"?, "allowOrigins"?, "readToken"?, "epsilons"?,
                           "maxGroups"?, "perAddressLimit"?, "trustProxy"?, "dedupeDays"?,
                           "publish"?: "unsuppressed" | "all" }
  --read-token <t>       GET /v1/estimates and /v1/spaces need "Authorization: Bearer <t>" (env COHORTKIT_READ_TOKEN)
  --trust-proxy          count reports per address from X-Forwarded-For (behind your reverse proxy only)
  --port <n>             default 8787
  --host <addr>          default 127.0.0.1
  --data-dir <dir>       PGlite data directory (env COHORTKIT_DATA_DIR; default ./cohortkit-data)
  --database-url <url>   PostgreSQL instead of PGlite (env DATABASE_URL)
  --allow-origin <o>     allowed CORS origin, repeatable (default: any)
  --memory               keep statistics in memory only`;
/** Keys of the `--config` file (the collector options of the same names). */
const CONFIG_KEYS = ['spaces', 'minCount', 'allowOrigins', 'readToken', 'epsilons', 'maxGroups', 'perAddressLimit', 'trustProxy', 'dedupeDays', 'publish'];
/** Runs the collector command: starts the server and closes it gracefully on SIGTERM/SIGINT. */
async function runCli(argv, env = process.env) {
    const a = parseCollectorArgs(argv, env);
    if (a.help)
        return void console.log(USAGE);
    if (!a.config)
        throw new CohortkitError('invalid-options', `--config: required\n${USAGE}`);
    const fs = await import('node:fs/promises');
    let cfg;
    try {
        cfg = JSON.parse(await fs.readFile(a.config, 'utf8'));
    }
    catch (e) {
        throw new CohortkitError('invalid-options', `--config: cannot read ${a.config}: ${e.message}`, e);
    }
    if (typeof cfg !== 'object' || cfg === null || Array.isArray(cfg))
        throw new CohortkitError('invalid-options', 'config: expected a JSON object');
    const extra = Object.keys(cfg).filter((k) => !CONFIG_KEYS.includes(k));
    if (extra.length)
        throw new CohortkitError('invalid-options', `config.${extra[0].slice(0, 64)}: unknown key (known: ${CONFIG_KEYS.join(', ')})`);
    const store = a.memory ? undefined : a.databaseUrl ? { databaseUrl: a.databaseUrl } : { dataDir: a.dataDir ?? 'cohortkit-data' };
    const origins = [...(cfg.allowOrigins ?? []), ...a.allowOrigins];
    const opts = {
        ...cfg,
        spaces: cfg.spaces,
        allowOrigins: origins.length ? origins : undefined,
        readToken: a.readToken ?? cfg.readToken,
        trustProxy: a.trustProxy || cfg.trustProxy,
        store,
        log: (line) => console.log(line),
    };
    try {
        checkCollectorOptions(opts);
    }
    catch (e) {
        // Name the config file's key: `config.maxGroups: expected …`.
        const key = CONFIG_KEYS.find((k) => e.message.startsWith(`${k}:`) || e.message.startsWith(`${k}[`));
        if (key && cfg[key] !== undefined)
            throw new CohortkitError('invalid-options', `config.${e.message}`, e);
        throw e;
    }
    const running = await startCollectorServer({ port: a.port, host: a.host, ...opts });
    const where = a.memory ? 'memory' : a.databaseUrl ? 'postgres' : `pglite at ${store && 'dataDir' in store ? store.dataDir : ''}`;
    console.log(`cohortkit collector listening on ${running.url} (store: ${where})${opts.readToken ? '; reads need the read token' : '; estimates are readable by anyone who can reach it (set --read-token)'}`);
    const stop = (sig) => {
        console.log(`${sig}: persisting in-flight reports, then exiting`);
        running.close().then(() => process.exit(0), (e) => (console.error(e), process.exit(1)));
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    const close = running.close;
    running.close = () => (process.off('SIGTERM', stop), process.off('SIGINT', stop), close());
    return running;
}

export { checkSpaces as a, createReportValidator as b, checkThread as c, addToRows as d, estimateFromRows as e, createCollector as f, createMemoryStore as g, rowKey as h, isReportId as i, startCollectorServer as j, checkDays as k, checkMaxGroups as l, mergeRow as m, dayOf as n, openStore as o, parseCollectorArgs as p, splitByWindow as q, runCli as r, spaceVersion as s, groupOf as t };
//# sourceMappingURL=cli-23aM4S7M.js.map
