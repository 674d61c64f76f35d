import { s as shape, o as opt, d as duration, r as req, a as arr, p as parseDuration } from './entries-RiBf5myd.js';
import { B as BOOL, f as fail, S as SAFE_POSITIVE_INT, I as ID } from './validate-aI8U5EBI.js';
import { E as EXPOSURE_EVENT } from './audit-KLGZ8Vqc.js';
import { L as LOCAL_ID_KEY, C as CAPS_KEY } from './index-DTcVH_tq.js';
export { V as version } from './version-CqUn23qH.js';
import './errors-Cp7kg1GW.js';
import './ldp-ClVGeEjM.js';
import 'idb';
import './consent-space-2DJOztdB.js';

/** Longest slot name. */
const MAX_SLOT_LENGTH = 64;
const A = 'invalid-argument';
/**
 * Validates a `decide()` request and returns a snapshot copy of it (each getter read once).
 * Throws `CohortkitError('invalid-argument')` naming the path, e.g. `request.variants[1].segment: …`.
 * `fallback` must be present (its value may be anything, `undefined` included); optional keys set to
 * `undefined` count as absent.
 */
function validateDecideRequest(req$1) {
    return shape({
        slot: req([(s) => typeof s == 'string' && s && s.length <= MAX_SLOT_LENGTH, `expected a non-empty string of at most ${MAX_SLOT_LENGTH} characters`]),
        variants: arr(shape({ segment: req(ID) }, ['segment', 'value'], (v, p, o) => ('value' in o ? { ...v, value: o.value } : fail(`${p}.value`, 'required', A)))),
        fallback: (v, p, c, out, o) => ('fallback' in o ? v : fail(p, 'required (the non-personalized default)', A)),
        holdout: opt([(h) => typeof h == 'number' && h >= 0 && h <= 1, 'expected a number in [0, 1]']),
        allowSensitive: opt(BOOL),
        cap: opt(shape({ max: req(SAFE_POSITIVE_INT), per: (v, p, c) => (duration(v, p, c), v) })),
    }, ['slot', 'variants', 'fallback', 'holdout', 'cap', 'allowSensitive'], (r, _, o) => ({ ...r, fallback: o.fallback }))(req$1, 'request', A);
}

// One duration parser for the whole SDK (segments' `within`, decide's `cap.per`).
/** Exposures still inside the cap window ending at `now`: those at `t` with `now - t < windowMs`. */
function pruneExposures(times, now, windowMs) {
    return times.filter((t) => now - t < windowMs);
}
/** How many exposures fall inside the cap window ending at `now`. */
function countExposures(times, now, windowMs) {
    let n = 0;
    for (const t of times)
        if (now - t < windowMs)
            n++;
    return n;
}

/**
 * Picks the variant to show (pure; recording the exposure is the caller's job, on `reason: 'segment'`).
 * Precedence:
 * 1. Variants in order, skipping unknown segments, sensitive ones unless `allowSensitive`, and
 *    segments whose purposes are not granted. The first member wins: if its `cap` is reached
 *    (exposures with `now - t < per` ≥ `max`) → fallback, `'capped'` with that segment (later
 *    variants are not tried).
 * 2. That visitor is *eligible* (they would be shown a variant). Only then does `holdout` apply:
 *    when `randomize` is not false and `holdoutBucket < holdout` → fallback, `'holdout'` with the
 *    segment they would have seen; else the variant's value, `'segment'`.
 * 3. No member: `'no-consent'` if a considered variant's segment lacked consent, else `'no-match'`.
 * So `'holdout'` never reaches a visitor who has no eligible variant (v1 drew it first of all).
 */
function decideVariant(req, env) {
    const fallback = req.fallback;
    let noConsent = false;
    for (const { segment, value } of req.variants) {
        const m = env.member(segment);
        if (!m.known || (m.sensitive && !req.allowSensitive))
            continue;
        if (!m.granted) {
            noConsent = true;
            continue;
        }
        if (!m.member)
            continue;
        const per = req.cap && parseDuration(req.cap.per);
        if (per && countExposures(env.exposures(req.slot, segment), env.now, per) >= req.cap.max)
            return { value: fallback, reason: 'capped', segment };
        if (req.holdout && env.randomize !== false) {
            const b = env.holdoutBucket;
            if ((typeof b === 'function' ? b() : b) < req.holdout)
                return { value: fallback, reason: 'holdout', segment };
        }
        return { value, reason: 'segment', segment };
    }
    return { value: fallback, reason: noConsent ? 'no-consent' : 'no-match' };
}

/**
 * Stable bucket in [0, 1) for a visitor and slot: FNV-1a 32-bit over `${localId}:${slot}`
 * (UTF-16 code units), finalized with the MurmurHash3 mixer for uniform high bits, divided by 2^32.
 */
function holdoutBucket(localId, slot) {
    const s = `${localId}:${slot}`;
    let h = 0x811c9dc5;
    for (let i = 0; i < s.length; i++)
        h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}
/**
 * A local visitor id (never sent anywhere): 16 random bytes as 32 lowercase hex characters.
 * @param random fills its argument with secure random bytes, e.g. `(b) => crypto.getRandomValues(b)`.
 */
function createLocalId(random) {
    const b = new Uint8Array(16);
    random(b);
    return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

const admits = (p, x) => 'eq' in p ? p.eq === x : 'in' in p ? p.in.includes(x) : typeof x === 'number' && !(x < (p.gte ?? -Infinity)) && !(x > (p.lte ?? Infinity));
/**
 * The purposes an experiment on `slot` relies on: the union of the effective purposes of every
 * segment that reads the exposure event of that slot (or of any slot). Undefined when no segment
 * reads it: the slot is not an experiment, so no arm is recorded.
 */
function experimentPurposes(catalog, slot) {
    let found;
    for (const s of catalog.segments)
        for (const e of s.events) {
            if (e.event !== EXPOSURE_EVENT)
                continue;
            const where = e.where.find(([k]) => k === 'slot');
            if (where && !admits(where[1], slot))
                continue;
            found ??= new Set();
            s.effectivePurposes.forEach((p) => found.add(p));
        }
    return found && [...found];
}
/**
 * The arm a visitor joined for `slot`: the one of their earliest live exposure signal of that slot
 * (intent to treat: later decisions never change it). Undefined when none is stored or all expired.
 */
function keptArm(signals, slot, now) {
    let best;
    for (const s of signals)
        if (s.event === EXPOSURE_EVENT && s.props.slot === slot && (s.props.arm === 'holdout' || s.props.arm === 'treated') && s.expiresAt > now)
            if (!best || s.first < best.first)
                best = s;
    return best?.props.arm;
}
/**
 * The arm to record for this decision, if any: the kept arm when there is one (whatever the
 * decision's reason), else — on a first eligible decision of a request with a holdout — the arm
 * the decision put the visitor in. `'capped'`, `'no-match'` and `'no-consent'` never open an arm.
 */
function armToRecord(kept, reason, holdout) {
    if (kept)
        return kept;
    if (!holdout)
        return undefined;
    return reason === 'holdout' ? 'holdout' : reason === 'segment' ? 'treated' : undefined;
}

// The personalization runtime: decide() with frequency caps, the local holdout id and exposure
// (intent-to-treat) recording. Caps and the id are persisted only while `personalization` is
// granted; otherwise they live for this page. Pure work is in src/personalization.
function createPersonalizationRuntime(o) {
    const exposures = new Map();
    let localId;
    let savedLocalId; // the id persisted in the store, if any
    const persist = () => o.isGranted('personalization');
    const memberEnv = () => {
        const explain = o.evaluator();
        return (id) => {
            const seg = o.catalog.get(id);
            return {
                known: !!seg,
                member: !!seg && explain(id).member,
                sensitive: !!seg?.sensitive,
                granted: !!seg && seg.effectivePurposes.every(o.isGranted),
            };
        };
    };
    return {
        /** Restore caps and the local id (present only if persisted under consent); a failed read is reported, never fatal. */
        async restore() {
            const read = (key) => o.store().get('meta', key).catch((e) => void o.onError(e));
            const [caps, id] = await Promise.all([read(CAPS_KEY), read(LOCAL_ID_KEY)]);
            for (const [k, v] of Object.entries((caps ?? {})))
                exposures.set(k, v);
            localId ??= savedLocalId = id;
        },
        async decide(request) {
            const req = validateDecideRequest(request);
            const now = o.now();
            // A stored local id whose consent is gone (withdrawn here or in another tab) is gone too.
            if (savedLocalId && !persist())
                localId = savedLocalId = undefined;
            // An experiment reads this slot when a segment reads its exposure event; nobody is
            // randomized into an arm before that experiment's purposes are granted.
            const exp = experimentPurposes(o.catalog, req.slot);
            const randomize = !exp || exp.every(o.isGranted);
            const d = decideVariant(req, {
                member: memberEnv(),
                // The local id is made only when a bucket is needed: an eligible visitor and a holdout.
                holdoutBucket: () => holdoutBucket((localId ??= createLocalId((b) => crypto.getRandomValues(b))), req.slot),
                randomize,
                exposures: (slot, segment) => exposures.get(`${slot}|${segment}`) ?? [],
                now,
            });
            // The decision stands whatever storage does: a refused write is an `error` event, and the
            // state it would have saved stays in memory for this page (the host page still personalizes).
            const save = (p) => p.then(() => true, (e) => (o.onError(e), false));
            if (localId && localId !== savedLocalId && persist()) {
                if (await save(o.store().write([{ type: 'put', store: 'meta', key: LOCAL_ID_KEY, value: localId }])))
                    savedLocalId = localId;
            }
            // Intent to treat: the arm of the first eligible decision, kept in the exposure signal and
            // re-recorded by every later decision of the slot, whatever it returns.
            if (exp && randomize) {
                const arm = armToRecord(keptArm(o.signals(), req.slot, now), d.reason, req.holdout);
                if (arm)
                    await save(o.track(EXPOSURE_EVENT, { slot: req.slot, arm }));
            }
            if (d.reason === 'segment' && req.cap) {
                const key = `${req.slot}|${d.segment}`;
                const per = parseDuration(req.cap.per);
                exposures.set(key, [...pruneExposures(exposures.get(key) ?? [], now, per), now]);
                if (persist())
                    await save(o.store().write([{ type: 'put', store: 'meta', key: CAPS_KEY, value: Object.fromEntries(exposures) }]));
            }
            return d;
        },
        forget() {
            exposures.clear();
            localId = savedLocalId = undefined;
        },
    };
}

const states = new WeakMap();
const isTemplate = (n) => n.nodeName == 'TEMPLATE';
/** Replaces the slot's non-template content with `t`'s content (scripts stripped) or the original. */
function render(el, st, t) {
    if (st.shown == t)
        return;
    st.shown = t;
    for (const n of Array.from(el.childNodes))
        if (!isTemplate(n))
            el.removeChild(n);
    if (t) {
        const f = t.content.cloneNode(true);
        f.querySelectorAll('script').forEach((s) => s.remove());
        el.prepend(f);
    }
    else
        el.prepend(...st.original);
}
async function fillSlot(el, client, opts) {
    const kids = Array.from(el.childNodes);
    let st = states.get(el);
    if (!st)
        states.set(el, (st = { original: kids.filter((n) => !isTemplate(n)), seq: 0 }));
    const seq = ++st.seq;
    const templates = kids.filter(isTemplate);
    const fallback = templates.find((t) => t.hasAttribute('data-fallback'));
    const variants = templates
        .filter((t) => t.hasAttribute('data-variant'))
        .map((t) => ({ segment: t.getAttribute('data-variant'), value: t }));
    const attr = (name) => el.getAttribute('data-' + name);
    const req = { slot: attr('cohortkit-slot'), variants, fallback: fallback ?? st.original };
    const holdout = attr('holdout');
    if (holdout)
        req.holdout = +holdout;
    const max = attr('cap-max');
    const per = attr('cap-per');
    if (max && per)
        req.cap = { max: +max, per: per };
    const sensitive = attr('allow-sensitive');
    if (sensitive != null && sensitive != 'false')
        req.allowSensitive = true;
    let d;
    try {
        d = await client.decide(req);
    }
    catch (e) {
        opts.onError?.(e, el);
    }
    if (seq != st.seq)
        return; // a later fill of this slot wins
    const hit = d?.reason == 'segment'
        ? (variants.find((v) => v.value === d.value) ?? variants.find((v) => v.segment == d.segment))
        : undefined;
    render(el, st, hit?.value ?? fallback);
    el.setAttribute('data-cohortkit-reason', d ? d.reason : 'error');
    if (d?.segment)
        el.setAttribute('data-cohortkit-segment', d.segment);
    else
        el.removeAttribute('data-cohortkit-segment');
}
/**
 * Personalizes declarative slots under `root`: every `[data-cohortkit-slot="name"]` element with
 * `<template data-variant="segment-id">` children (in order) and optionally `<template data-fallback>`.
 * The slot's existing content stays until the decision, then is replaced once: by the winning
 * template's content on reason `'segment'`, else by the `data-fallback` template or the original
 * content. Optional attributes: `data-holdout`, `data-cap-max` + `data-cap-per`, `data-allow-sensitive`.
 * Sets `data-cohortkit-reason` (`'error'` if decide rejected) and `data-cohortkit-segment` for QA.
 * Builds DOM only by cloning templates; `<script>` elements are never inserted.
 * Safe to call again (see `refreshSlots`): only the latest decision per slot is applied.
 * @param root where to look for slots (a document or element)
 * @param client anything with `decide`
 * @param opts error callback
 */
async function fillSlots(root, client, opts = {}) {
    await Promise.all(Array.from(root.querySelectorAll('[data-cohortkit-slot]'), (el) => fillSlot(el, client, opts)));
}

export { createPersonalizationRuntime, fillSlots };
//# sourceMappingURL=personalize-CkPY2ciF.js.map
