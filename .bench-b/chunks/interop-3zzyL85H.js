import { C as CohortkitError } from './errors-Cp7kg1GW.js';
export { v as validateInterop } from './interop-validate-Cq54J7rw.js';
export { V as version } from './version-CqUn23qH.js';
import './entries-RiBf5myd.js';
import './validate-aI8U5EBI.js';

/**
 * The listener lifecycle every CMP adapter shares: find the CMP's global, register one listener,
 * learn its id (from an event or the registration), and remove it on disconnect — also when the
 * CMP answers only later, and always through the current global (a CMP replaces its stub on
 * load). `onEvent` runs for each event while connected. Faults go to `onError`, never to the page.
 */
function listenToCMP(o) {
    const fail = (e) => {
        try {
            if (o.onError)
                o.onError(e);
        }
        catch {
            /* a throwing onError must not reach the host page */
        }
    };
    const api = o.win && o.win[o.name];
    if (typeof api !== 'function') {
        fail(new CohortkitError('invalid-options', o.missing));
        return () => { };
    }
    const idOf = (x) => (x && typeof x === 'object' && typeof x.listenerId === 'number' ? x.listenerId : undefined);
    let id;
    let closed = false;
    let removed = false;
    const remove = () => {
        if (removed || id === undefined)
            return;
        removed = true;
        try {
            o.remove(o.win[o.name], id);
        }
        catch (e) {
            fail(e);
        }
    };
    const listener = (evt, success) => {
        try {
            id = idOf(evt) ?? id;
            if (closed)
                return remove();
            o.onEvent(evt, success);
        }
        catch (e) {
            fail(e);
        }
    };
    try {
        // The IAB GPP stub answers with the registration (and calls back only once the CMP loads).
        id ??= idOf(o.add(api, listener));
    }
    catch (e) {
        fail(e);
        return () => { };
    }
    return () => {
        closed = true;
        remove();
    };
}

// IAB TCF v2.2 / v2.3 adapter: translates the CMP's TCData into plain cohortkit choices.
/**
 * True when the TC string carries a disclosedVendors segment: a segment after the core one whose
 * 3-bit type is 1, i.e. whose first base64url character is one of I–P.
 */
const hasDisclosedSegment = (tcString) => tcString.split('.').slice(1).some((seg) => /^[I-P]/.test(seg));
/**
 * Maps one TCData object to cohortkit choices, or `undefined` when it carries none:
 * GDPR does not apply, or the event is not `tcloaded` / `useractioncomplete`.
 * Legitimate interest never counts as consent; purposes with an empty id list are skipped.
 * With `vendorId` (TCF v2.3) every purpose also needs the vendor disclosed — in
 * `vendor.disclosedVendors`, and the TC string (when given) must carry a disclosedVendors segment —
 * and the vendor's consent; without them every mapped purpose is denied.
 */
function mapTCData(tc, map, vendorId) {
    if (!tc || tc.gdprApplies !== true)
        return;
    if (tc.eventStatus !== 'tcloaded' && tc.eventStatus !== 'useractioncomplete')
        return;
    const consents = (tc.purpose && tc.purpose.consents) || {};
    const v = tc.vendor || {};
    const vendorOk = vendorId === undefined ||
        ((v.disclosedVendors || {})[vendorId] === true &&
            (v.consents || {})[vendorId] === true &&
            (typeof tc.tcString !== 'string' || hasDisclosedSegment(tc.tcString)));
    const out = {};
    for (const p in map)
        if (map[p].length)
            out[p] = vendorOk && map[p].every((id) => consents[id] === true);
    return out;
}
/**
 * Listens to a TCF v2.2 / v2.3 CMP (`__tcfapi('addEventListener', 2, …)`) and emits the mapped
 * cohortkit choices on `tcloaded` and `useractioncomplete`. Returns `disconnect`, which
 * removes the listener (also when the CMP answers only later). Never throws.
 */
function connectTCF(opts) {
    return listenToCMP({
        win: opts.win,
        name: '__tcfapi',
        missing: 'interop.tcf: window.__tcfapi is missing (no TCF v2 CMP or stub on this page)',
        add: (api, listener) => api('addEventListener', 2, listener),
        remove: (api, id) => api('removeEventListener', 2, () => { }, id),
        onError: opts.onError,
        onEvent(tc, success) {
            if (!success || !tc)
                throw new CohortkitError('invalid-options', 'interop.tcf: the CMP answered addEventListener with success=false');
            const choices = mapTCData(tc, opts.map, opts.vendorId);
            if (choices)
                opts.onChoices(choices);
        },
    });
}

// IAB GPP adapter (`__gpp`, e.g. the `usnat` section): translates opt-out fields into plain
// cohortkit choices. Loaded on demand, like the TCF and Consent Mode adapters.
/** A GPP field: `<section>.<Field>` with an optional `.<index>` into an array field. */
const GPP_FIELD = /^([a-z][a-z0-9]{1,15})\.([A-Za-z][A-Za-z0-9]{0,63})(?:\.(\d{1,2}))?$/;
/**
 * One field's signal: 1 (opted out) → false; 2 (did not opt out) → true; anything else — 0 (not
 * applicable), absent, not a number — → undefined (no signal). An array field read without an
 * index: opted out if any entry is 1, not opted out if every entry is 2.
 */
function signal(sections, field) {
    const m = GPP_FIELD.exec(field);
    if (!m)
        return;
    let sec = sections[m[1]];
    // A section may be parsed as one object or as a list of sub-sections (core, gpc …).
    if (Array.isArray(sec))
        sec = sec.find((x) => x && typeof x === 'object' && m[2] in x);
    if (!sec || typeof sec !== 'object')
        return;
    let v = sec[m[2]];
    if (m[3] !== undefined)
        v = Array.isArray(v) ? v[+m[3]] : undefined;
    if (Array.isArray(v))
        return v.some((x) => x === 1) ? false : v.length && v.every((x) => x === 2) ? true : undefined;
    return v === 1 ? false : v === 2 ? true : undefined;
}
/**
 * Maps GPP `parsedSections` to cohortkit choices. A purpose is denied when any of its fields is 1
 * (opted out), granted when every field is 2 (did not opt out), and left out otherwise (a field
 * not applicable or absent, e.g. the section was removed): the adapter then records nothing for it.
 */
function mapGPPData(parsedSections, map) {
    const out = {};
    if (!parsedSections || typeof parsedSections !== 'object')
        return out;
    const sections = parsedSections;
    for (const p in map) {
        const s = map[p].map((f) => signal(sections, f));
        if (s.includes(false))
            out[p] = false;
        else if (s.length && s.every((x) => x === true))
            out[p] = true;
    }
    return out;
}
/**
 * Listens to a GPP CMP (`__gpp('addEventListener', cb)`) and emits the mapped choices whenever
 * it signals with `signalStatus: 'ready'` (and not `applicableSections: [-1]`, "none applies").
 * Returns `disconnect`, which removes the listener (also when the CMP answers only later).
 * Never throws.
 */
function connectGPP(opts) {
    return listenToCMP({
        win: opts.win,
        name: '__gpp',
        missing: 'interop.gpp: window.__gpp is missing (no GPP CMP or stub on this page)',
        add: (api, listener) => api('addEventListener', listener),
        remove: (api, id) => api('removeEventListener', () => { }, id),
        onError: opts.onError,
        onEvent(evt, success) {
            if (success === false || !evt || typeof evt !== 'object')
                throw new CohortkitError('invalid-options', 'interop.gpp: the CMP answered addEventListener with success=false');
            const ping = evt.pingData;
            if (!ping || typeof ping !== 'object' || ping.signalStatus !== 'ready')
                return;
            if (Array.isArray(ping.applicableSections) && ping.applicableSections.includes(-1))
                return;
            const choices = mapGPPData(ping.parsedSections, opts.map);
            if (Object.keys(choices).length)
                opts.onChoices(choices);
        },
    });
}

/**
 * Default mapping. `analytics_storage` is measurement; `ad_personalization` is personalization;
 * `ad_user_data` (sending visitor data to Google for advertising) serves both measuring and
 * personalizing ads, so it needs both. `ad_storage` is left to the site's own CMP.
 */
const DEFAULT_CONSENT_MODE_MAP = {
    analytics_storage: ['measurement'],
    ad_personalization: ['personalization'],
    ad_user_data: ['measurement', 'personalization'],
};
// Marks the parameter objects cohortkit pushes, so readConsentMode does not read its own echo.
const MINE = Symbol.for('cohortkit.consent-mode');
const entries = (map) => Object.keys(map).filter((t) => Array.isArray(map[t]) && map[t].length).map((t) => [t, map[t]]);
/**
 * Forward mapping: a Consent Mode type is 'granted' iff every cohortkit purpose it needs is
 * 'granted' ('unset' counts as denied). Types absent from the map (or mapped to []) are omitted.
 */
function toConsentMode(state, map = DEFAULT_CONSENT_MODE_MAP) {
    const out = {};
    for (const [t, ps] of entries(map))
        out[t] = ps.every((p) => state[p] === 'granted') ? 'granted' : 'denied';
    return out;
}
/**
 * Reverse mapping, for the announced types only: a purpose is granted iff at least one
 * announced type that needs it is granted and no announced type that needs only it is denied.
 * Purposes with no announced type are omitted. Never grants a purpose that
 * {@link toConsentMode} would have derived from a denied one.
 */
function fromConsentMode(cm, map = DEFAULT_CONSENT_MODE_MAP) {
    const out = {};
    const vetoed = {};
    for (const [t, ps] of entries(map)) {
        const v = cm[t];
        if (v !== 'granted' && v !== 'denied')
            continue;
        for (const p of ps)
            out[p] = out[p] || v === 'granted';
        if (v === 'denied' && ps.length === 1)
            vetoed[ps[0]] = true;
    }
    for (const p in vetoed)
        out[p] = false;
    return out;
}
/**
 * Mirrors cohortkit's consent state to Google Consent Mode: `gtag('consent', 'update', {…})`
 * when `win.gtag` is a function, else pushes the same `arguments` object the gtag snippet
 * would push onto `win.dataLayer` (created if missing). Never throws.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function mirrorToConsentMode(win, state, map) {
    try {
        const params = toConsentMode(state, map);
        Object.defineProperty(params, MINE, { value: true });
        if (typeof win.gtag === 'function')
            return void win.gtag('consent', 'update', params);
        const dl = (win.dataLayer = win.dataLayer || []);
        dl.push((function (..._) {
            // eslint-disable-next-line prefer-rest-params
            return arguments;
        })('consent', 'update', params));
    }
    catch {
        /* the host page's gtag or dataLayer failing is not cohortkit's to surface */
    }
}
const isArgs = (x) => Object.prototype.toString.call(x) === '[object Arguments]';
/**
 * Reads Google Consent Mode from `win.dataLayer`: replays the existing `consent default` /
 * `consent update` commands, then observes new pushes (wrapping `dataLayer.push`) and emits
 * the reverse-mapped choices each time a command arrives. Per type, `update` overrides
 * `default` and the latest command of a kind wins; region-scoped defaults and cohortkit's own
 * mirrored updates are ignored. Returns `disconnect`, which restores `push`. Never throws.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function readConsentMode(win, onChoices, map) {
    const defaults = {};
    const updates = {};
    // Folds one dataLayer entry in; true when it was a consent command from outside cohortkit.
    const take = (e) => {
        if (!isArgs(e) || e[0] !== 'consent')
            return false;
        const p = e[2];
        if (!p || typeof p !== 'object' || p[MINE])
            return false;
        const into = e[1] === 'update' ? updates : e[1] === 'default' && !('region' in p) ? defaults : null;
        if (!into)
            return false;
        for (const k in p)
            if (typeof p[k] === 'string')
                into[k] = p[k];
        return true;
    };
    // Folds entries in and emits when one was a consent command; never throws.
    const scan = (items) => {
        try {
            let seen = false;
            for (let i = 0; i < items.length; i++)
                seen = take(items[i]) || seen;
            const choices = fromConsentMode({ ...defaults, ...updates }, map);
            if (seen && Object.keys(choices).length)
                onChoices(choices);
        }
        catch {
            /* a throwing listener must not break the host page's push */
        }
    };
    let dl;
    try {
        dl = win.dataLayer = win.dataLayer || [];
        if (!Array.isArray(dl))
            return () => { };
    }
    catch {
        return () => { };
    }
    scan(dl);
    let on = true;
    const orig = dl.push;
    const wrapped = function (...items) {
        const r = orig.apply(this, items);
        if (on)
            scan(items);
        return r;
    };
    dl.push = wrapped;
    return () => {
        on = false;
        // Restore only if nobody wrapped push after us; otherwise stay in their chain, inert.
        if (dl.push === wrapped)
            dl.push = orig;
    };
}

/** Connects every configured adapter on `win`; returns what disconnects them all. */
function connectAdapters(interop, win, env) {
    const stops = [];
    // A CMP may answer while we connect (synchronously): those choices reach `env` in a later
    // task, in order, once the caller holds what this returns.
    let connecting = true;
    const to = (source) => (c) => connecting ? setTimeout(() => env.update(c, source)) : env.update(c, source);
    if (interop.tcf)
        stops.push(connectTCF({ win, map: interop.tcf.map, vendorId: interop.tcf.vendorId, onChoices: to('tcf'), onError: env.onError }));
    if (interop.gpp)
        stops.push(connectGPP({ win, map: interop.gpp.map, onChoices: to('gpp'), onError: env.onError }));
    if (interop.consentMode?.read)
        stops.push(readConsentMode(win, to('consent-mode')));
    if (interop.consentMode?.mirror) {
        mirrorToConsentMode(win, env.state());
        stops.push(env.onConsent((s) => mirrorToConsentMode(win, s)));
    }
    connecting = false;
    return () => stops.forEach((s) => s());
}

export { connectAdapters, connectGPP, connectTCF, mirrorToConsentMode, readConsentMode };
//# sourceMappingURL=interop-3zzyL85H.js.map
