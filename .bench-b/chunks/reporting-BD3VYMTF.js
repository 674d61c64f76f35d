import { C as CohortkitError, i as isCohortkitError } from './errors-Cp7kg1GW.js';
import { c as createMechanism, d as defaultRandom, r as randomId, a as chooseMechanism, f as fromBase64url, u as uniform53 } from './ldp-ClVGeEjM.js';
import 'idb';
import { K as KEY_PATHS, E as EPOCHS_KEY, M as MEMO_KEY, b as LIFETIME_KEY, d as deletes, r as relyingOn, p as purgeOutbox, i as isEntry } from './index-DTcVH_tq.js';
import { b as consentIndex, d as compileConsentSpace } from './consent-space-2DJOztdB.js';
export { p as pageBase, v as validateCohortSpaces, a as validateReportOptions } from './validate-BjJW4X_x.js';
export { V as version } from './version-CqUn23qH.js';
import './entries-RiBf5myd.js';
import './validate-aI8U5EBI.js';
import './audit-KLGZ8Vqc.js';

/**
 * The visitor's cohort index in `space`: the first cohort whose segment is a member, else the
 * fallback `cohorts.length`.
 * @param isMember whether the visitor currently belongs to a segment (by id)
 */
function assignCohort(space, isMember) {
    const i = space.cohorts.findIndex((c) => isMember(c.segment));
    return i < 0 ? space.cohorts.length : i;
}

const DAY = 86_400_000;
/**
 * The epoch containing `now` (ms since 1970-01-01 UTC), as the day number (days since
 * 1970-01-01 UTC) of its first day: the UTC day, or the Monday of the ISO week (UTC).
 */
function epochOf(now, kind) {
    const day = Math.floor(now / DAY);
    // 1970-01-01 was a Thursday: (day + 3) mod 7 is 0 on Mondays.
    return kind === 'week' ? day - (((day + 3) % 7) + 7) % 7 : day;
}
/** ms since epoch at which `epoch` (a day number from {@link epochOf}) ends (exclusive). */
function epochEnd(epoch, kind) {
    return (epoch + (kind === 'week' ? 7 : 1)) * DAY;
}

// Report encoding with permanent (memoized) randomized response.
/**
 * The memo key of a true cohort: `space|version|k|index|ε|mechanism` ('auto' resolved with
 * chooseMechanism, exactly as buildReport does).
 */
function memoKey(space, index, epsilon, mechanism = 'auto') {
    const name = mechanism === 'auto' ? chooseMechanism(space.k, epsilon) : mechanism;
    return `${space.id}|${space.version}|${space.k}|${index}|${epsilon}|${name}`;
}
const isInt = (x, max) => Number.isInteger(x) && x >= 0 && x < max;
/** True when a memoized value is well-formed for mechanism `m` (a corrupted memo is redrawn). */
function fits(m, v) {
    const r = (v ?? {});
    if (m.name === 'grr')
        return isInt(r.value, m.k);
    if (m.name === 'olh')
        return r.g === m.g && isInt(r.seed, 4294967296) && isInt(r.value, m.g);
    const s = m.name === 'ss' ? r.items : r.bits;
    const b = typeof s === 'string' ? fromBase64url(s) : undefined;
    if (!b || b.length !== Math.ceil(m.k / 8) || b[b.length - 1] >> (m.k & 7 || 8))
        return false;
    let set = 0;
    for (const x of b)
        for (let y = x; y; y &= y - 1)
            set++;
    return m.name !== 'ss' || set === m.d;
}
/**
 * Builds one wire report (`v, id, space, spaceVersion, epoch, k, mechanism, epsilon` followed by
 * `value` | `bits` | `items` | `seed, g, value`; nothing else) with a fresh 128-bit id.
 *
 * ## Privacy: what is memoized, and the lifetime guarantee
 * Fresh randomization every epoch would let the collector average a visitor's reports and recover
 * the true cohort (n reports at ε each cost n·ε). Like RAPPOR's permanent randomized response,
 * the randomized part is therefore drawn once per **memo key = (space, spaceVersion, k, true
 * cohort index, ε, mechanism)** and reused verbatim; only the id is fresh per report.
 * - **GRR**: the perturbed `value` is memoized.
 * - **OUE**: the whole perturbed bit vector `bits` is memoized.
 * - **SS**: the whole reported subset `items` is memoized.
 * - **OLH**: the hash `seed`, `g` and the perturbed `value` are memoized together (a fresh seed
 *   with the same value would be a fresh, averageable draw).
 *
 * Guarantee (all three mechanisms): while the true cohort stays the same, every report of the
 * space repeats one ε-LDP output, so the lifetime loss for that cohort is ε however many epochs
 * pass. A visitor who moves between cohorts gets one memo per cohort visited (moving back reuses
 * the old memo), so the lifetime loss for a space is at most ε × (distinct cohorts visited) ≤ ε·k.
 * Limits, stated honestly:
 * - if the collector can link one visitor's reports across epochs by other means (IP address,
 *   timing), a change of the reported output reveals that the true cohort changed (no
 *   instantaneous randomization layer is added, unlike RAPPOR's IRR; the same cohort never
 *   changes the output);
 * - a new space version, a new ε or mechanism, or deleting the memos (`forget()`, a cleared
 *   browser) starts fresh draws: each such restart is a new ε;
 * - the per-epoch budget (planEpoch) accounts ε per report as if draws were fresh: it is an
 *   upper bound, not the lifetime loss above; `report.lifetimeBudget` caps the loss above (the
 *   returned `fresh` says whether this report is a new draw).
 * @throws CohortkitError `invalid-argument` for a bad index, epoch, k or ε
 */
function buildReport(args) {
    const { space, epoch, index, epsilon, mechanism = 'auto', random = defaultRandom, memo } = args;
    const m = createMechanism({ k: space.k, epsilon, mechanism, random });
    if (!isInt(index, m.k))
        throw new CohortkitError('invalid-argument', `index: expected an integer in [0, ${m.k})`);
    if (!Number.isSafeInteger(epoch) || epoch < 0)
        throw new CohortkitError('invalid-argument', 'epoch: expected a day number ≥ 0');
    const key = memoKey(space, index, epsilon, m.name);
    const fresh = !(memo && memo.key === key && fits(m, memo.value));
    const v = (fresh ? m.perturb(index) : memo.value);
    const head = { v: 1, id: randomId(random), space: space.id, spaceVersion: space.version, epoch, k: m.k, mechanism: m.name, epsilon };
    const tail = m.name === 'grr' ? { value: v.value } : m.name === 'oue' ? { bits: v.bits } : m.name === 'ss' ? { items: v.items } : { seed: v.seed, g: v.g, value: v.value };
    return { report: { ...head, ...tail }, memo: { key, value: { ...tail } }, fresh };
}
/**
 * True when buildReport with these arguments would reuse `memo` (a repeat, no new draw); false when
 * it would draw afresh (no memo, another key, or a malformed one). The lifetime accountant
 * (report.lifetimeBudget) counts only fresh draws.
 */
function reusesMemo(space, index, epsilon, mechanism, memo) {
    const m = createMechanism({ k: space.k, epsilon, mechanism });
    return !!memo && memo.key === memoKey(space, index, epsilon, m.name) && fits(m, memo.value);
}

/**
 * Pure per-epoch privacy accountant. Walks `spaces` in declaration order: a space already
 * reported this epoch (`alreadySpent.spaces`) costs nothing again and is not listed; a space whose
 * ε fits the remaining budget is reported; one that does not fit is skipped. Spending only grows
 * within an epoch, so a skipped space stays skipped until the next epoch. `budget` defaults to
 * ε × number of spaces. Accounting is per report, as if draws were fresh (an upper bound:
 * memoization makes the real loss smaller).
 * @param alreadySpent what was recorded earlier this epoch (`{ spent: 0, spaces: [] }` at its start)
 */
function planEpoch(spaces, opts, alreadySpent) {
    const budget = opts.budget ?? opts.epsilon * spaces.length;
    let spent = alreadySpent.spent;
    const report = [];
    const skipped = [];
    for (const { id } of spaces) {
        if (alreadySpent.spaces.includes(id))
            continue;
        // Relative tolerance so that e.g. 0.1 + 0.1 + 0.1 fits a budget of 3 × 0.1.
        if (spent + opts.epsilon <= budget * (1 + 1e-9)) {
            spent += opts.epsilon;
            report.push(id);
        }
        else
            skipped.push(id);
    }
    return { report, skipped, spent, budget };
}

// Pure outbox scheduling: retry backoff, a bounded queue, what is due, what can go.
/** At most this many entries (queued and sent) are kept. */
const MAX_OUTBOX = 100;
const BASE_MS = 2000;
const CAP_MS = 3_600_000;
/** A uniform number in [0, 1) from crypto.getRandomValues (for jitter, like all randomness in src). */
function secureUniform() {
    const b = new Uint8Array(8);
    globalThis.crypto.getRandomValues(b);
    return uniform53(b, 0);
}
/**
 * When to retry after `attempts` failed attempts: exponential backoff with full jitter,
 * `now + random() × min(1 h, 2 s × 2^(attempts − 1))`.
 * @param random a uniform number in [0, 1); default {@link secureUniform}
 */
function nextAttempt(attempts, now, random = secureUniform) {
    return now + Math.floor(random() * Math.min(CAP_MS, BASE_MS * 2 ** Math.max(0, attempts - 1)));
}
/**
 * Adds `entry` to a queue bounded by {@link MAX_OUTBOX} (an entry with the same id is replaced).
 * When over the bound it drops, first, already-sent entries (kept only for exportData), oldest
 * epoch first; then unsent entries of the oldest epoch (oldest first within an epoch: the stalest
 * data matters least and old epochs are usually already estimated). The new entry itself may be
 * dropped if it is the oldest. Returns the kept entries (queue order) and the dropped ones.
 */
function admit(queue, entry) {
    const all = queue.filter((e) => e.id !== entry.id).concat(entry);
    const order = all
        .map((e, i) => ({ e, i }))
        .sort((a, b) => +!a.e.sentAt - +!b.e.sentAt || a.e.report.epoch - b.e.report.epoch || a.i - b.i);
    const drop = new Set(order.slice(0, Math.max(0, all.length - MAX_OUTBOX)).map((x) => x.e));
    return { keep: all.filter((e) => !drop.has(e)), dropped: all.filter((e) => drop.has(e)) };
}
/** Unsent entries to attempt now: those whose `nextAt` has come, or every unsent one when `force` (flush). */
function due(queue, now, force) {
    return queue.filter((e) => !e.sentAt && (force || e.nextAt <= now));
}
/**
 * The entry after a send attempt: `sentAt` set on success; `undefined` (drop it) on a permanent
 * failure (a 4xx other than 408/429: retrying would fail forever); otherwise one more attempt
 * and the next retry time.
 */
function settle(entry, result, now, random) {
    if (result.ok)
        return { ...entry, sentAt: now };
    if (result.permanent)
        return undefined;
    const attempts = entry.attempts + 1;
    return { ...entry, attempts, nextAt: nextAttempt(attempts, now, random) };
}
/** Drops sent entries whose epoch has ended (they were kept only so exportData can show them). */
function pruneSent(queue, now, kind) {
    return queue.filter((e) => !e.sentAt || epochEnd(e.report.epoch, kind) > now);
}

/** The outcome of report `i` of a send. */
const outcomeOf = (r, i) => (r.ok ? 'sent' : r.outcomes?.[i] ?? 'failed');
/** keepalive bodies are limited to 64 KiB in flight: chunks stay under 60 KiB. */
const MAX_CHUNK = 60 * 1024;
/**
 * POSTs reports to `endpoint` with `fetch` (never sendBeacon, which sends cookies and the
 * referrer): JSON body (one object for a single report, else an array), `content-type:
 * text/plain;charset=UTF-8` (no preflight), `credentials: 'omit'`, `referrerPolicy:
 * 'no-referrer'`, `keepalive: true`, `cache: 'no-store'`, `mode: 'cors'`. Bodies over 60 KiB are
 * split into chunks sent one after another. A chunk refused with a permanent 4xx drops only its own
 * reports: the next chunks are still sent. Any other failure (5xx, 408, 429, network) stops there:
 * that chunk and the later ones are retried. One AbortController deadline covers the whole call, so
 * a hanging endpoint resolves `{ ok: false, error: 'timeout' }`. Never throws.
 */
async function sendReports(endpoint, reports, opts = {}) {
    const { fetch: f = (u, i) => globalThis.fetch(u, i), timeoutMs = 8000 } = opts;
    const ctl = new AbortController();
    let timer;
    const deadline = new Promise((_, reject) => {
        timer = setTimeout(() => {
            ctl.abort();
            reject(new Error('timeout'));
        }, timeoutMs);
    });
    const result = { ok: true, sent: 0 };
    const outcomes = [];
    const fail = (error, status) => {
        if (result.ok)
            Object.assign(result, { ok: false, error }, status !== undefined && { status });
    };
    try {
        // Reports are ASCII (ids, base64url, numbers), so string length = bytes.
        const chunks = [];
        let size = 0;
        for (const r of reports) {
            const json = JSON.stringify(r);
            const last = chunks[chunks.length - 1];
            if (!last || size + json.length + 1 > MAX_CHUNK - 2)
                chunks.push([json]), (size = json.length);
            else
                last.push(json), (size += json.length + 1);
        }
        for (const c of chunks) {
            const res = await Promise.race([
                f(endpoint, {
                    method: 'POST',
                    body: c.length === 1 ? c[0] : `[${c.join(',')}]`,
                    headers: { 'content-type': 'text/plain;charset=UTF-8' },
                    credentials: 'omit',
                    referrerPolicy: 'no-referrer',
                    keepalive: true,
                    cache: 'no-store',
                    mode: 'cors',
                    signal: ctl.signal,
                }),
                deadline,
            ]);
            if (result.ok)
                result.status = res.status;
            if (res.status >= 200 && res.status <= 299) {
                result.sent += c.length;
                outcomes.push(...c.map(() => 'sent'));
                continue;
            }
            fail(`HTTP ${res.status}`, res.status);
            if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
                // Refused for good: drop these, go on with the next chunk.
                result.permanent = true;
                outcomes.push(...c.map(() => 'rejected'));
                continue;
            }
            break;
        }
    }
    catch (e) {
        fail(ctl.signal.aborted ? 'timeout' : String(e?.message ?? e));
    }
    finally {
        clearTimeout(timer);
    }
    if (!result.ok)
        result.outcomes = reports.map((_, i) => outcomes[i] ?? 'failed');
    return result;
}

// Pure lifetime privacy accountant (report.lifetimeBudget): the ε a client has ever spent per
// space on fresh draws. A memoized repeat reveals nothing new and costs nothing.
/**
 * Reads a stored accountant. Anything that is not an object yields an empty one; an entry that is
 * not a finite number ≥ 0 (edited by another script) counts as the whole budget (fails closed), or
 * as 0 without a budget.
 */
function readLifetime(raw, budget) {
    const out = {};
    if (!raw || typeof raw !== 'object' || Array.isArray(raw))
        return out;
    for (const [id, v] of Object.entries(raw))
        out[id] = typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : (budget ?? 0);
    return out;
}
/** True when one more fresh draw at `epsilon` keeps `space` within `budget` (relative tolerance as planEpoch). */
function allowsFresh(spent, space, epsilon, budget) {
    return budget === undefined || (spent[space] ?? 0) + epsilon <= budget * (1 + 1e-9);
}
/** The accountant as `exportData().privacy.lifetime` shows it, for the configured `spaces`. */
function lifetimeView(spent, spaces, epsilon, budget) {
    const bySpace = { ...spent };
    return {
        spent: Object.values(bySpace).reduce((a, b) => a + b, 0),
        bySpace,
        budget: budget ?? null,
        exhausted: spaces.filter((s) => !allowsFresh(spent, s, epsilon, budget)),
    };
}

// Writes the store could not take (quota, an aborted transaction, a closed database), kept in
// memory, laid over what the store holds, and written again with the next batch.
function createPendingWrites() {
    let waiting = new Map();
    const id = (store, key) => store + '\0' + JSON.stringify(key);
    /** The key an op addresses (the key path's value for stores that have one). */
    const keyOf = (op) => (op.type == 'delete' || !KEY_PATHS[op.store] ? op.key : op.value[KEY_PATHS[op.store]]);
    return {
        get size() {
            return waiting.size;
        },
        view(store, stored) {
            const out = new Map(stored.map((v) => [id(store, v[KEY_PATHS[store]]), v]));
            for (const [k, op] of waiting)
                if (op.store == store)
                    op.type == 'put' ? out.set(k, op.value) : out.delete(k);
            return [...out.values()];
        },
        async write(store, ops, keep = true) {
            const next = new Map(waiting);
            for (const op of ops)
                next.set(id(op.store, keyOf(op)), op);
            if (!next.size)
                return;
            try {
                await store.write([...next.values()]);
                waiting = new Map();
            }
            catch (e) {
                if (keep)
                    waiting = next;
                return e;
            }
        },
        drop(match) {
            for (const [k, op] of waiting)
                if (match(op))
                    waiting.delete(k);
        },
    };
}

// Planning and queueing of private reports: once per epoch and space that may report, assign
// the cohort, draw its randomized report (memoized, within the epoch and lifetime budgets) and
// queue it in the outbox, with the accounting, in one write. The runtime (reporting.ts) keeps the
// state (outbox, waiting writes, drafts) and passes in what this needs; sending stays there.
/** Queue this epoch's reports for every space that may report and has not yet. */
function createEnqueue(o, 
// The reporting runtime's spaces (the declared ones, then the built-in consent space `cs` when
// report.consentRates is on), its state and its functions: it stays their one owner.
// (Arguments rather than an object of them: fewer bytes in the bundle.)
all, cs, mayReport, drafts, pending, write, readMeta, outbox) {
    const { config } = o;
    return (withConsent) => o.exclusive(async () => {
        drafts.clear();
        if (pending.size)
            await write([]);
        const may = (s) => mayReport(s) && (s !== cs || withConsent);
        if (!config || !all.length || !(o.isGranted('measurement') || (cs && may(cs))))
            return;
        const { epsilon, mechanism, lifetimeBudget: cap } = config;
        const now = o.now();
        const epoch = epochOf(now, config.epoch);
        const epochs = await readMeta(EPOCHS_KEY);
        const rec = epochs[epoch];
        const memo = await readMeta(MEMO_KEY);
        // Read inside the exclusive section: two tabs never both spend past the cap.
        const life = readLifetime(await o.store().get('meta', LIFETIME_KEY), cap);
        const isMember = o.members();
        const indexOf = (s) => (s === cs ? consentIndex(o.purposes, o.consentState()) : assignCohort(s, isMember));
        const memoOf = (s, index) => {
            const key = memoKey(s, index, epsilon, mechanism);
            return memo[key] && { key, value: memo[key] };
        };
        // A space whose cohort has no usable memo needs a fresh draw; past the cap it is skipped.
        const capped = (s, i = indexOf(s)) => !reusesMemo(s, i, epsilon, mechanism, memoOf(s, i)) && !allowsFresh(life, s.id, epsilon, cap);
        const open = all.filter(may).filter((s) => !(rec?.spaces ?? []).includes(s.id) && !capped(s));
        const plan = planEpoch(open, config, rec ?? { spent: 0, spaces: [] });
        const lifetimeSkipped = all.filter((s) => may(s) && !(rec?.spaces ?? []).includes(s.id) && !open.includes(s)).map((s) => s.id);
        const skipped = [...new Set([...(rec?.skipped ?? []), ...plan.skipped, ...lifetimeSkipped])].filter((id) => !plan.report.includes(id));
        if (!plan.report.length && rec && skipped.length === rec.skipped.length)
            return;
        // Copies of sent reports are kept until their epoch ends (for exportData), then deleted.
        const old = await outbox();
        let queue = pruneSent(old, now, config.epoch);
        for (const id of plan.report) {
            const space = all.find((s) => s.id === id);
            const index = indexOf(space);
            const { report, memo: m, fresh } = buildReport({ space, epoch, index, epsilon, mechanism, memo: memoOf(space, index) });
            memo[m.key] = m.value;
            if (fresh)
                life[id] = (life[id] ?? 0) + epsilon;
            queue = admit(queue, { id: report.id, report, purposes: space.purposes, attempts: 0, nextAt: now }).keep;
        }
        epochs[epoch] = { spent: plan.spent, spaces: [...(rec?.spaces ?? []), ...plan.report], skipped, budget: plan.budget };
        // Accounting is kept for 60 epochs (exportData shows it), then dropped.
        for (const e in epochs)
            if (!(+e > epoch - 60))
                delete epochs[e];
        const added = queue.filter((e) => !old.includes(e));
        await write([
            ...deletes('outbox', old.filter((e) => !queue.includes(e))),
            ...added.map((value) => ({ type: 'put', store: 'outbox', value })),
            { type: 'put', store: 'meta', key: MEMO_KEY, value: memo },
            { type: 'put', store: 'meta', key: EPOCHS_KEY, value: epochs },
            // Same batch as the draws: a refused write neither loses nor double-counts spending.
            { type: 'put', store: 'meta', key: LIFETIME_KEY, value: life },
        ], added);
    });
}

// The stateful half of private reporting: once per epoch and space, assign the visitor's
// cohort, randomize it (memoized), queue the report, and deliver it with retries.
// Pure work is delegated to src/reporting and src/privacy; the queueing (assignment, draw,
// accounting) is in reporting-enqueue.ts.
/** flush() must resolve within 10 s even when the endpoint hangs. */
const SEND_TIMEOUT_MS = 8000;
function createReportingRuntime(o) {
    const { spaces, config } = o;
    // report.consentRates: the built-in consent space, reported after the declared ones. Under
    // 'exempt' it relies on no purpose (purposes []) and is held back only while GPC is on.
    const exempt = config?.consentRates === 'exempt';
    if (config?.consentRates && spaces.some((s) => s.id === 'consent'))
        throw new CohortkitError('invalid-options', 'cohorts: the space id "consent" is reserved while report.consentRates is on');
    const cs = config?.consentRates && compileConsentSpace(o.purposes, config.consentRates);
    const all = cs ? [...spaces, cs] : spaces;
    const spaceIds = all.map((s) => s.id);
    // The consent space is not drawn by the pass at start (a banner has not answered yet) but by
    // flush(), the page being hidden, back online, or the periodic pass: the state after the visit.
    let settled = false;
    const gpcOn = () => typeof navigator !== 'undefined' && navigator.globalPrivacyControl === true;
    /** A space (or queued entry) may report now: its purposes granted; with none (exempt), measurement or no GPC. */
    const mayReport = (s) => s.purposes.length ? s.purposes.every(o.isGranted) : exempt && (o.isGranted('measurement') || !gpcOn());
    let timer;
    let sending;
    let closed = false;
    const fault = (e) => o.onError(isCohortkitError(e) ? e : new CohortkitError('storage', String(e), e));
    // Storage faults never fail a pass: writes the store refuses wait here (laid over what it holds)
    // and go with the next write, retried with backoff.
    const pending = createPendingWrites();
    /**
     * Reports drawn by a pass whose writes the store refused. Never sent and never written as they
     * are: the next pass drops them and draws from what the store holds then (another tab may have
     * reported the epoch meanwhile). Sent and then lost with the page, a draft would be drawn afresh
     * on the next one: a second report of the epoch.
     */
    const drafts = new Map();
    const withDrafts = (view) => [...view, ...[...drafts.values()].filter((d) => !view.some((e) => e.id === d.id))];
    let failures = 0;
    let retryAt = 0;
    /** The outbox as last read: what a page going away can still send without reading storage. */
    let lastRead = [];
    /**
     * The outbox as stored with the waiting writes applied. `strict` (default): a failed read
     * rejects; otherwise it is reported and only what waits in memory is returned.
     */
    const outbox = async (strict = true) => {
        let rows = [];
        try {
            // A stored record that is not an entry (edited by another script) is ignored, never fatal.
            rows = (await o.store().getAll('outbox')).filter(isEntry);
        }
        catch (e) {
            if (strict)
                throw e;
            fault(e);
        }
        return (lastRead = withDrafts(pending.view('outbox', rows)));
    };
    const readMeta = async (key) => ((await o.store().get('meta', key)) ?? {});
    /**
     * Write `ops` with whatever waits; on a fault keep it waiting (a pass's draws become drafts
     * instead) and report it. Never throws.
     */
    const write = async (ops, drawn) => {
        const e = await pending.write(o.store(), ops, !drawn);
        if (e === undefined) {
            failures = 0;
            return;
        }
        drawn?.forEach((d) => drafts.set(d.id, d));
        retryAt = nextAttempt(++failures, o.now());
        fault(e);
    };
    const enqueue = createEnqueue(o, all, cs, mayReport, drafts, pending, write, readMeta, outbox);
    /**
     * Attempt the due (or, when forced, every) queued report. A draw not yet stored waits: sent and
     * then lost with the page, it would be drawn afresh on the next one (a second report of the epoch).
     */
    const send = async (force, known) => {
        if (!config)
            return { sent: 0, queued: 0 };
        const ready = o.isGranted('measurement') || exempt
            ? due(known ?? (await outbox(false)), o.now(), force).filter((e) => mayReport(e) && !drafts.has(e.id))
            : [];
        const delivered = [];
        if (ready.length) {
            const result = await sendReports(config.endpoint, ready.map((e) => e.report), { timeoutMs: SEND_TIMEOUT_MS });
            const at = o.now();
            ready.forEach((e, i) => outcomeOf(result, i) === 'sent' && delivered.push(e.report));
            // Re-read inside the section: a withdrawal meanwhile must not be undone by our write.
            await o.exclusive(async () => {
                const still = new Set((await outbox(false)).map((e) => e.id));
                const ops = [];
                ready.forEach((e, i) => {
                    if (!still.has(e.id) || !e.purposes.every(o.isGranted))
                        return;
                    const outcome = outcomeOf(result, i);
                    const after = settle(e, { ok: outcome === 'sent', permanent: outcome === 'rejected' }, at);
                    ops.push(after ? { type: 'put', store: 'outbox', value: after } : { type: 'delete', store: 'outbox', key: e.id });
                });
                await write(ops);
            });
            delivered.forEach(o.onReport);
        }
        const left = (await outbox(false)).filter((e) => !e.sentAt);
        schedule(left);
        return { sent: delivered.length, queued: left.length };
    };
    /** Automatic retries follow the backoff (a store that refused writes, its own); flush() ignores it. */
    const schedule = (queue) => {
        if (timer)
            clearTimeout(timer);
        timer = undefined;
        if (closed || (!queue.length && !pending.size))
            return;
        const times = queue.map((e) => (drafts.has(e.id) ? retryAt : e.nextAt));
        if (pending.size)
            times.push(retryAt);
        const wait = Math.max(1000, Math.min(...times) - o.now());
        timer = setTimeout(() => void run(false, settled).catch(o.onError), Math.min(wait, 3_600_000));
        timer.unref?.();
    };
    /**
     * One sending pass at a time; a flush during a pass waits for it, then runs its own. A storage
     * fault never rejects a pass: it is reported and the pass sends what it can.
     */
    const run = async (force, withConsent = force) => {
        while (sending)
            await sending.catch(() => undefined);
        sending = (async () => {
            try {
                await enqueue(withConsent);
            }
            catch (e) {
                fault(e);
            }
            try {
                return await send(force);
            }
            catch (e) {
                fault(e);
                return { sent: 0, queued: withDrafts(pending.view('outbox', [])).filter((x) => !x.sentAt).length };
            }
        })();
        try {
            return await sending;
        }
        finally {
            sending = undefined;
        }
    };
    // Deliver what is queued when the page is hidden (keepalive outlives the page) or back online.
    // A page that is going away (navigation, closed tab) runs no task after this event, and a fetch
    // started after an IndexedDB read never leaves (in Chromium, Firefox and WebKit alike): the
    // outbox as last read is sent now, synchronously; then a normal pass queues and sends the rest.
    const onHidden = () => {
        if (document.visibilityState !== 'hidden')
            return;
        if (!sending) {
            const now = (sending = send(true, lastRead));
            void now.catch(fault).finally(() => sending === now && (sending = undefined));
        }
        void run(true).catch(o.onError);
    };
    const onOnline = () => void run(true).catch(o.onError);
    const hasDoc = typeof document !== 'undefined' && typeof addEventListener === 'function';
    if (hasDoc && config) {
        document.addEventListener('visibilitychange', onHidden);
        addEventListener('online', onOnline);
    }
    return {
        /** Queue what is due and send in the background (after consent or segment changes, at start). */
        kick: () => {
            if (config && all.length)
                void run(false, settled).catch(o.onError);
            settled = true;
        },
        flush: () => run(true),
        /** Sent and queued reports, and the privacy accounting, for exportData(). */
        async exportData() {
            const rows = await outbox();
            const reports = (sent) => rows.filter((e) => !!e.sentAt == sent).map((e) => e.report);
            return {
                reports: { queued: reports(false), sent: reports(true) },
                privacy: {
                    epochs: Object.entries(await readMeta(EPOCHS_KEY)).map(([epoch, { spent, budget, skipped }]) => ({ epoch: +epoch, spent, budget, skipped })),
                    lifetime: config
                        ? lifetimeView(readLifetime(await o.store().get('meta', LIFETIME_KEY), config.lifetimeBudget), spaceIds, config.epsilon, config.lifetimeBudget)
                        : lifetimeView({}, [], 1, undefined),
                },
            };
        },
        /** Deletes that a withdrawal of `purpose` implies (queued and sent copies; memos with measurement), in memory too. */
        planPurge(purpose, all) {
            const { gone, ops, queued } = purgeOutbox(purpose, withDrafts(pending.view('outbox', all)));
            const ids = new Set(gone.map((e) => e.id));
            ids.forEach((id) => drafts.delete(id));
            pending.drop((op) => op.type === 'put' && op.store === 'outbox' && ids.has(op.value.id));
            return { ops, queued };
        },
        /** Delete queued reports whose purposes are no longer all granted (a change in another tab), in memory first. */
        async sweep() {
            const lost = (p) => !o.isGranted(p);
            // Without measurement nothing that waits may be stored later (memos, accounting, reports):
            // a forget() in another tab looks like this here, and must not be undone by our next write.
            pending.drop((op) => op.type === 'put' && (lost('measurement') || (op.store === 'outbox' && op.value.purposes.some(lost))));
            for (const d of drafts.values())
                if (lost('measurement') || d.purposes.some(lost))
                    drafts.delete(d.id);
            const gone = relyingOn(await outbox(), lost);
            if (gone.length)
                await write(deletes('outbox', gone));
        },
        /** forget(): nothing that waits in memory may be written into the new, empty database. */
        forget() {
            pending.drop(() => true);
            drafts.clear();
        },
        close() {
            closed = true;
            if (timer)
                clearTimeout(timer);
            if (hasDoc && config) {
                document.removeEventListener('visibilitychange', onHidden);
                removeEventListener('online', onOnline);
            }
        },
    };
}

export { createReportingRuntime };
//# sourceMappingURL=reporting-BD3VYMTF.js.map
