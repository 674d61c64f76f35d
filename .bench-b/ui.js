import { C as CohortkitError } from './chunks/errors-Cp7kg1GW.js';
import { e as isPlainObject } from './chunks/validate-aI8U5EBI.js';

// Every text the preference center shows, overridable with `definePreferenceCenter(client, { labels })`.
// `{name}` placeholders are filled in; anything else is shown as written (always as text).
const LABELS = {
    region: 'Privacy preferences',
    intro: 'Change any choice at any time: withdrawing deletes what relied on it.',
    purposes: 'What you allow',
    on: 'on',
    off: 'off',
    unset: 'not chosen yet (off)',
    now: 'Now: {state}.',
    allowed: '{purpose}: allowed.',
    withdrawn: '{purpose}: withdrawn.',
    receipt: 'Deleted {signals} signals, {segments} segments, {reports} reports.',
    saveFailed: 'Could not save {purpose}: {error}',
    interests: 'Your interests',
    interestsHint: 'Tell us what you like; it stays on this device.',
    interestsSaved: 'Your interests were saved.',
    interestsNoConsent: 'Interests are saved only with your consent for personalization.',
    interestsFailed: 'Could not save your interests: {error}',
    data: 'Your data',
    download: 'Download my data',
    downloaded: 'Your data was downloaded as {file}.',
    downloadFailed: 'Could not export your data: {error}',
    forget: 'Forget everything',
    confirm: 'Delete everything stored about you on this device, the consent history included? This cannot be undone: download your data first to keep a copy.',
    confirmYes: 'Yes, forget everything',
    cancel: 'Cancel',
    forgotten: 'Everything was deleted from this device. Every purpose is now off until you choose again.',
    forgetFailed: 'Could not delete your data: {error}',
    loadFailed: 'Could not load your data: {error}',
    why: 'Why you see what you see',
    noSegments: 'You are in no segment: nothing is personalized for you.',
    because: 'Why: {reason}. Since {since}.',
    match: 'every condition holds',
    'no-match': 'a condition does not hold',
    'no-consent': 'a purpose it relies on is not granted',
    'insufficient-evidence': 'not enough supporting events yet',
    'unknown-segment': 'no such segment',
    condition: ': observed {observed}, expected {expected}',
    basedOn: 'Based on: {signals}.',
    signal: '{event} ×{count}',
    lastSeen: ' (last {time})',
    contextOnly: 'Based on the context of this visit only: nothing stored.',
    reliesOn: 'Relies on: {purposes}.',
    noConsentNeeded: 'Needs no consent.',
    history: 'Your consent history',
    verified: '✓ Ledger verified: the hash chain is intact. Decisions recorded: {count}.',
    broken: '✗ Ledger check failed: the hash chain is broken.',
    empty: 'No consent decision recorded yet.',
    columns: '#|When|Purpose|Choice|Source|Policy|Deleted',
    granted: 'granted',
    revoked: 'withdrawn',
    purged: '{signals} signals, {segments} segments, {reports} reports',
};
/** `t` with each `{name}` replaced by `v.name` (unknown names stay as written). */
const fill = (t, v) => t.replace(/\{(\w+)\}/g, (m, k) => (Object.prototype.hasOwnProperty.call(v, k) ? String(v[k]) : m));
/**
 * The labels with `overrides` applied.
 * @throws CohortkitError `invalid-argument` naming `options.labels.<key>` for an unknown key or a non-string
 */
function resolveLabels(overrides) {
    if (overrides === undefined)
        return LABELS;
    if (!isPlainObject(overrides))
        throw new CohortkitError('invalid-argument', 'options.labels: expected a plain object');
    const out = { ...LABELS };
    for (const k of Object.keys(overrides)) {
        const v = overrides[k];
        if (!Object.prototype.hasOwnProperty.call(LABELS, k))
            throw new CohortkitError('invalid-argument', `options.labels.${k}: unknown label`);
        if (typeof v != 'string')
            throw new CohortkitError('invalid-argument', `options.labels.${k}: expected a string`);
        out[k] = v;
    }
    return out;
}

var CSS = ":host { display: block; max-width: 100%; color: var(--ck-fg, #1d2330); font: var(--ck-font, inherit); line-height: 1.45; } :host([hidden]), [hidden] { display: none !important; } *, *::before, *::after { box-sizing: border-box; } .ck { min-width: 0; padding: var(--ck-space, 12px); overflow-wrap: anywhere; background: var(--ck-bg, #fff); border: 1px solid var(--ck-border, #d0d5dd); border-radius: var(--ck-radius, 10px); } h2 { margin: 0 0 4px; font-size: 1.15em; } h3 { margin: 16px 0 6px; font-size: 1em; } p { margin: 4px 0; } .ck-muted, .ck-desc { color: var(--ck-muted, #5d6678); } .ck-desc, .ck-small, table { font-size: .875em; } .ck-status { min-height: 1.45em; margin: 6px 0; font-weight: 600; } fieldset { min-width: 0; margin: 12px 0 0; padding: 4px var(--ck-space, 12px) 8px; border: 1px solid var(--ck-border, #d0d5dd); border-radius: var(--ck-radius, 10px); } legend { padding: 0 4px; font-weight: 600; } .ck-choice { display: grid; grid-template-columns: auto minmax(0, 1fr); gap: 2px 10px; align-items: start; padding: 8px 0; } .ck-choice + .ck-choice { border-top: 1px solid var(--ck-border, #d0d5dd); } .ck-choice label { cursor: pointer; font-weight: 600; } .ck-choice .ck-desc { grid-column: 2; margin: 0; } input[type=\"checkbox\"] { width: 1.25em; height: 1.25em; margin: .1em 0 0; accent-color: var(--ck-accent, #3b5bdb); cursor: pointer; } .ck-state { font-weight: 400; color: var(--ck-muted, #5d6678); } .ck-row { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 8px 0; } button { min-height: 2.5em; padding: .4em .9em; font: inherit; color: var(--ck-fg, #1d2330); background: var(--ck-bg, #fff); border: 1px solid var(--ck-border, #d0d5dd); border-radius: var(--ck-radius, 10px); cursor: pointer; } button:hover { border-color: var(--ck-accent, #3b5bdb); } button.ck-primary { color: var(--ck-accent-fg, #fff); background: var(--ck-accent, #3b5bdb); border-color: var(--ck-accent, #3b5bdb); } button.ck-danger { color: var(--ck-danger, #c92a2a); border-color: currentColor; } button.ck-danger.ck-primary { color: var(--ck-accent-fg, #fff); background: var(--ck-danger, #c92a2a); border-color: var(--ck-danger, #c92a2a); } :focus-visible { outline: 2px solid var(--ck-focus, var(--ck-accent, #3b5bdb)); outline-offset: 2px; } .ck-confirm { margin: 8px 0; padding: 8px var(--ck-space, 12px); border: 2px solid var(--ck-danger, #c92a2a); border-radius: var(--ck-radius, 10px); } .ck-ok { color: var(--ck-ok, #2b8a3e); } .ck-bad { color: var(--ck-danger, #c92a2a); } .ck-scroll { max-width: 100%; overflow-x: auto; } .ck-ledger { container-type: inline-size; } .ck-label { display: none; } @container (max-width: 34em) { .ck-ledger thead { display: none; } .ck-ledger tr { display: block; padding: 6px 0; border-bottom: 1px solid var(--ck-border, #d0d5dd); } .ck-ledger td { display: flex; gap: 8px; padding: 1px 0; border: 0; } .ck-ledger .ck-label { display: block; flex: 0 0 5.5em; color: var(--ck-muted, #5d6678); font-weight: 600; } } table { width: 100%; border-collapse: collapse; } th, td { padding: 4px 6px; text-align: left; vertical-align: top; border-bottom: 1px solid var(--ck-border, #d0d5dd); } th { color: var(--ck-muted, #5d6678); font-weight: 600; } details { margin: 6px 0; padding: 6px 10px; border: 1px solid var(--ck-border, #d0d5dd); border-radius: var(--ck-radius, 10px); } summary { cursor: pointer; font-weight: 600; } .ck-conditions { margin: 6px 0; padding-left: 1.25em; } code { font-family: var(--ck-mono, ui-monospace, SFMono-Regular, Menlo, Consolas, monospace); font-size: .9em; }";

// A tiny DOM builder: text only through text nodes (never innerHTML), no style attributes (CSP).
/**
 * `h('p.note', { id: 'x' }, 'text', child)`: attributes starting with "on" are listeners; `true`
 * sets an empty attribute, `false`/`undefined` skips it. Never sets `style`.
 */
function h(tag, attrs, ...kids) {
    const [name, ...classes] = tag.split('.');
    const el = document.createElement(name);
    if (classes.length)
        el.className = classes.join(' ');
    for (const [k, v] of Object.entries(attrs ?? {})) {
        if (v === undefined || v === false || k == 'style')
            continue;
        if (typeof v == 'function')
            el.addEventListener(k.slice(2), v);
        else
            el.setAttribute(k, v === true ? '' : String(v));
    }
    el.append(...kids.flat().filter((k) => k != null && k !== false).map((k) => (typeof k == 'number' ? String(k) : k)));
    return el;
}
/** A value as short text: strings as they are, the rest as JSON. */
const show = (v) => (v === undefined ? '—' : typeof v == 'string' ? v : JSON.stringify(v));
/** ms since epoch → a short local date and time. */
const fmtTime = (t) => t === undefined || !Number.isFinite(t) ? '—' : new Date(t).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });

// The component's stylesheet, applied without inline styles so it works under style-src 'self'.
let sheet;
/**
 * Styles a shadow root: adopts a constructable stylesheet (shared by every element; CSSOM, so no
 * CSP style-src exception is needed); where that is unsupported, links `href` (the shipped
 * cohortkit-ui.css) or, without one, appends a `<style>` (which a strict CSP would block).
 * @returns how the styles were applied
 */
function applyStyles(root, href) {
    try {
        if ('adoptedStyleSheets' in root && typeof CSSStyleSheet == 'function' && 'replaceSync' in CSSStyleSheet.prototype) {
            if (!sheet) {
                const s = new CSSStyleSheet();
                s.replaceSync(CSS);
                sheet = s;
            }
            root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
            return 'adopted';
        }
    }
    catch {
        // another realm's sheet or an old engine: fall back below
    }
    if (href)
        return root.append(h('link', { rel: 'stylesheet', href })), 'link';
    return root.append(h('style', null, CSS)), 'style';
}

/** What a purpose's state means to a visitor. */
const stateText = (L, v) => (v == 'granted' ? L.on : v == 'denied' ? L.off : L.unset);
const purged = (L, r) => r.purged ? fill(L.purged, { signals: r.purged.signals, segments: r.purged.memberships, reports: r.purged.reports }) : '—';
/** The verify() line: intact, broken, or nothing recorded. */
function verifyText(L, count, verified) {
    if (!count)
        return [L.empty, true];
    return verified ? [fill(L.verified, { count }), true] : [L.broken, false];
}
/**
 * The consent ledger, oldest first. In a narrow container each record stacks as labelled lines
 * (CSS container query: the header row gives way to a label in each cell; explicit ARIA roles
 * keep the table semantics when display changes), and the table scrolls inside its own box where
 * container queries are unsupported.
 */
function ledgerTable(L, history) {
    const cols = L.columns.split('|');
    // Each cell carries its column name, shown (and read) only where the records stack.
    const cell = (i, kid, cls = '') => h(`td${cls}`, { role: 'cell' }, h('span.ck-label', null, `${cols[i] ?? ''} `), kid);
    return h('div.ck-scroll', { role: 'region', 'aria-label': L.history, tabindex: 0 }, h('table', { role: 'table' }, h('thead', { role: 'rowgroup' }, h('tr', { role: 'row' }, cols.map((c) => h('th', { scope: 'col', role: 'columnheader' }, c)))), h('tbody', { role: 'rowgroup' }, history.map((r) => h('tr', { role: 'row', 'data-ck-seq': r.seq, 'data-ck-source': r.source }, cell(0, r.seq), cell(1, fmtTime(r.at)), cell(2, h('code', null, r.purpose)), cell(3, r.granted ? L.granted : L.revoked, r.granted ? '.ck-ok' : '.ck-bad'), cell(4, r.source), cell(5, r.policyVersion ?? '—'), cell(6, purged(L, r)))))));
}
/**
 * One `<details>` per membership: why (reason, each condition with what was observed and expected),
 * which signals, under which purposes. `open` holds the ids the visitor opened (kept across renders).
 */
function membershipList(L, list, describe, open) {
    if (!list.length)
        return h('p.ck-muted', null, L.noSegments);
    const reason = (r) => L[r] ?? r;
    return h('div', null, list.map((m) => {
        const e = m.explanation;
        const signal = (s) => fill(L.signal, { event: s.event, count: s.count }) + (s.lastSeen === undefined ? '' : fill(L.lastSeen, { time: fmtTime(s.lastSeen) }));
        const d = h('details', { 'data-ck-segment': m.id, open: open.has(m.id) }, h('summary', null, h('code', null, m.id), describe(m.id) ? ` · ${describe(m.id)}` : ''), h('p', null, fill(L.because, { reason: reason(e.reason), since: fmtTime(m.since) })), e.conditions.length
            ? h('ul.ck-conditions', null, e.conditions.map((c) => h('li', null, `${c.passed ? '✓' : '✗'} `, h('code', null, c.path), fill(L.condition, { observed: show(c.observed), expected: show(c.expected) }))))
            : null, h('p.ck-small', null, e.signals.length ? fill(L.basedOn, { signals: e.signals.map(signal).join(', ') }) : L.contextOnly, ' ', e.purposes.length ? fill(L.reliesOn, { purposes: e.purposes.join(', ') }) : L.noConsentNeeded));
        d.addEventListener('toggle', () => (d.open ? open.add(m.id) : open.delete(m.id)));
        return d;
    }));
}

const message = (e) => (e instanceof Error ? e.message : String(e));
/** Element ids stay valid whatever an id holds (ids are already /^[a-z0-9][a-z0-9_-]*$/). */
const safe = (id) => id.replace(/[^a-z0-9_-]/gi, '_');
function interestsOf(client) {
    try {
        const api = client.interests;
        return api && typeof api.get == 'function' && typeof api.declare == 'function' ? api : undefined;
    }
    catch {
        return undefined;
    }
}
function createView(root, client, opts) {
    const L = opts.labels;
    const status = h('p.ck-status', { role: 'status', 'aria-live': 'polite' });
    const say = (text) => (status.textContent = text);
    const emit = (type, detail) => root.host.dispatchEvent(new CustomEvent(type, { bubbles: true, composed: true, detail }));
    let chain = Promise.resolve();
    /** Runs visitor actions one after another; failures become a status message (`failed` with {error}). */
    const act = (fn, failed, vars = {}) => (chain = chain.then(fn).catch((e) => void say(fill(failed, { ...vars, error: message(e) }))));
    // Purposes ----------------------------------------------------------------
    const purposes = (() => {
        try {
            if (Array.isArray(client.purposes) && client.purposes.length)
                return client.purposes.map((p) => ({ id: String(p.id), description: p.description }));
        }
        catch {
            // fall back to the consent state's keys
        }
        return Object.keys(client.consent.get()).map((id) => ({ id, description: undefined }));
    })();
    const boxes = new Map();
    const purposeSet = h('fieldset.ck-purposes', null, h('legend', null, L.purposes), purposes.map((p) => {
        const id = `ck-p-${safe(p.id)}`;
        const input = h('input', { type: 'checkbox', id, name: p.id, 'aria-describedby': `${id}-d` });
        const state = h('span.ck-state');
        input.addEventListener('change', () => togglePurpose(p.id, input));
        boxes.set(p.id, { input, state });
        return h('div.ck-choice', { 'data-ck-purpose': p.id }, input, h('label', { for: id }, p.id), h('p.ck-desc', { id: `${id}-d` }, p.description ? `${p.description}. ` : '', state));
    }));
    const renderConsent = (s) => {
        for (const [id, b] of boxes) {
            const v = s[id] ?? 'unset';
            b.input.checked = v == 'granted';
            b.state.textContent = fill(L.now, { state: stateText(L, v) });
        }
    };
    const togglePurpose = (id, input) => {
        const on = input.checked;
        act(async () => {
            try {
                await client.consent.update({ [id]: on }, { source: 'preference-center' });
            }
            catch (e) {
                input.checked = !on;
                throw e;
            }
            const last = (await client.consent.history()).at(-1);
            const p = last?.purged;
            const receipt = !on && last?.purpose == id && p ? ` ${fill(L.receipt, { signals: p.signals, segments: p.memberships, reports: p.reports })}` : '';
            say(fill(on ? L.allowed : L.withdrawn, { purpose: id }) + receipt);
            emit('cohortkit-consent', client.consent.get());
        }, L.saveFailed, { purpose: id }).then(() => renderConsent(client.consent.get()));
    };
    // Declared interests (only when the client has them) -----------------------
    const interests = interestsOf(client);
    const defs = interests ? (opts.interests ?? interests.list?.() ?? []) : [];
    const interestBoxes = new Map();
    const interestSet = defs.length
        ? h('fieldset.ck-interests', null, h('legend', null, L.interests), h('p.ck-desc', null, L.interestsHint), defs.map((d) => {
            const id = `ck-i-${safe(d.id)}`;
            const input = h('input', { type: 'checkbox', id, name: d.id });
            input.addEventListener('change', () => toggleInterest());
            interestBoxes.set(d.id, input);
            return h('div.ck-choice', { 'data-ck-interest': d.id }, input, h('label', { for: id }, d.label));
        }))
        : null;
    const renderInterests = () => {
        if (!interests || !interestBoxes.size)
            return;
        const held = new Set(interests.get());
        for (const [id, input] of interestBoxes)
            input.checked = held.has(id);
    };
    const toggleInterest = (input) => act(async () => {
        const want = [...interestBoxes].filter(([, i]) => i.checked).map(([id]) => id);
        const r = await interests.declare(want);
        say(r.stored ? L.interestsSaved : L.interestsNoConsent);
    }, L.interestsFailed).then(renderInterests, renderInterests);
    // Your data: download, forget (with a confirmation inside the component) --
    const download = h('button', { type: 'button', onclick: () => act(downloadData, L.downloadFailed) }, L.download);
    const forget = h('button.ck-danger', { type: 'button', 'aria-expanded': 'false', 'aria-controls': 'ck-confirm' }, L.forget);
    const cancel = h('button', { type: 'button' }, L.cancel);
    const confirm = h('button.ck-danger.ck-primary', { type: 'button' }, L.confirmYes);
    const confirmBox = h('div.ck-confirm', { id: 'ck-confirm', role: 'group', 'aria-labelledby': 'ck-confirm-q', hidden: true }, h('p', { id: 'ck-confirm-q' }, L.confirm), h('div.ck-row', null, confirm, cancel));
    const showConfirm = (open, focus = true) => {
        confirmBox.hidden = !open;
        forget.setAttribute('aria-expanded', String(open));
        if (focus)
            (open ? cancel : forget).focus();
    };
    forget.addEventListener('click', () => showConfirm(!!confirmBox.hidden));
    cancel.addEventListener('click', () => showConfirm(false));
    confirmBox.addEventListener('keydown', (e) => e.key == 'Escape' && showConfirm(false));
    confirm.addEventListener('click', () => act(async () => {
        await client.forget();
        showConfirm(false);
        say(L.forgotten);
        emit('cohortkit-forget');
    }, L.forgetFailed).then(() => refresh()));
    async function downloadData() {
        const data = await client.exportData();
        const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
        const name = `cohortkit-data-${new Date(data.exportedAt).toISOString().slice(0, 10)}.json`;
        const a = h('a', { href: url, download: name, hidden: true });
        root.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 60_000);
        say(fill(L.downloaded, { file: name }));
    }
    // Segments and ledger -------------------------------------------------------
    const segmentsBox = h('div.ck-segments');
    const verifyLine = h('p.ck-verify');
    const ledgerBox = h('div.ck-ledger');
    const open = new Set();
    const describe = (() => {
        let map;
        return (id) => {
            try {
                map ??= new Map((typeof client.catalog == 'function' ? client.catalog() : []).map((s) => [s.id, s.description]));
            }
            catch {
                map = new Map();
            }
            return map.get(id);
        };
    })();
    const renderSegments = (list) => {
        const focused = root.activeElement?.closest('details')?.dataset.ckSegment;
        segmentsBox.replaceChildren(membershipList(L, list, describe, open));
        if (focused)
            segmentsBox.querySelector(`details[data-ck-segment="${focused}"] summary`)?.focus();
    };
    const renderLedger = async () => {
        const [history, verified] = await Promise.all([client.consent.history(), client.consent.verify()]);
        const [text, ok] = verifyText(L, history.length, verified);
        verifyLine.textContent = text;
        verifyLine.className = `ck-verify ${ok ? 'ck-ok' : 'ck-bad'}`;
        verifyLine.dataset.ckVerified = String(verified);
        const refocus = !!root.activeElement && ledgerBox.contains(root.activeElement);
        ledgerBox.replaceChildren(...(history.length ? [ledgerTable(L, history)] : []));
        if (refocus)
            ledgerBox.firstElementChild?.focus();
    };
    let busy;
    let again = false;
    /** Re-reads everything (coalesced: one run at a time, one more if asked meanwhile). */
    function refresh() {
        if (busy)
            return (again = true), busy;
        busy = (async () => {
            do {
                again = false;
                try {
                    renderConsent(client.consent.get());
                    renderInterests();
                    renderSegments(await client.segments());
                    await renderLedger();
                }
                catch (e) {
                    say(fill(L.loadFailed, { error: message(e) }));
                }
            } while (again);
            busy = undefined;
            root.host.setAttribute('data-ready', '');
        })();
        return busy;
    }
    root.append(h('section.ck', { part: 'root', ...(opts.heading ? { 'aria-labelledby': 'ck-title' } : { 'aria-label': L.region }) }, opts.heading ? h('h2', { id: 'ck-title' }, opts.heading) : null, L.intro ? h('p.ck-muted.ck-small', null, L.intro) : null, purposeSet, interestSet, status, h('h3', null, L.data), h('div.ck-row', null, download, forget), confirmBox, h('h3', null, L.why), segmentsBox, h('h3', null, L.history), verifyLine, ledgerBox));
    let off = [];
    return {
        refresh,
        connect() {
            if (off.length)
                return;
            const on = (ev) => client.on(ev, () => {
                void refresh();
            });
            try {
                off = [on('consent'), on('segments')];
            }
            catch (e) {
                say(fill(L.loadFailed, { error: message(e) }));
            }
            renderConsent(client.consent.get());
            void refresh();
        },
        disconnect() {
            off.forEach((f) => f());
            off = [];
        },
    };
}

// definePreferenceCenter(client): registers <cohortkit-preferences> for one client.
const TAG = /^[a-z][a-z0-9._]*-[a-z0-9._-]*$/;
const bad = (path, what) => {
    throw new CohortkitError('invalid-argument', `${path}: ${what}`);
};
/**
 * Registers the preference center element for `client`. Every `<cohortkit-preferences>` (or `tag`)
 * then renders, in an open shadow root: a checkbox per purpose (toggling calls `consent.update` with
 * source 'preference-center'), one per declared interest when the client has them, "Download my
 * data", "Forget everything" (confirmed inside the component), the current segments with their
 * explanation, and the consent ledger with its verify() result. Live through `client.on`.
 * @param client a cohortkit Client
 * @param options see PreferenceCenterOptions
 * @throws CohortkitError `invalid-argument` for a missing client, bad options, a tag already defined, or no `customElements`
 */
function definePreferenceCenter(client, options = {}) {
    const c = client;
    if (!c || typeof c.consent?.get != 'function' || typeof c.consent.update != 'function' || typeof c.on != 'function')
        bad('client', 'expected a cohortkit Client (from createClient)');
    if (!isPlainObject(options))
        bad('options', 'expected a plain object');
    const { tag = 'cohortkit-preferences', heading = 'Your privacy choices', stylesheet, interests, labels: texts, ...rest } = options;
    for (const k in rest)
        bad(`options.${k}`, 'unknown key, expected one of tag, heading, stylesheet, interests, labels');
    const labels = resolveLabels(texts);
    if (typeof tag != 'string' || !TAG.test(tag))
        bad('options.tag', 'expected a custom element name with a hyphen, like "cohortkit-preferences"');
    if (typeof heading != 'string')
        bad('options.heading', 'expected a string');
    if (stylesheet !== undefined && typeof stylesheet != 'string')
        bad('options.stylesheet', 'expected a URL string');
    if (interests !== undefined && (!Array.isArray(interests) || !interests.every((i) => isPlainObject(i) && typeof i.id == 'string' && typeof i.label == 'string')))
        bad('options.interests', 'expected an array of { id, label }');
    const registry = typeof customElements == 'object' ? customElements : undefined;
    if (!registry || typeof HTMLElement != 'function')
        return bad('definePreferenceCenter', 'needs a browser (customElements)');
    if (registry.get(tag))
        bad('options.tag', `"${tag}" is already defined`);
    class PreferenceCenter extends HTMLElement {
        view;
        connectedCallback() {
            if (!this.view) {
                const root = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
                applyStyles(root, stylesheet);
                this.view = createView(root, client, { heading, labels, interests: interests?.map((i) => ({ id: i.id, label: i.label })) });
            }
            this.view.connect();
        }
        disconnectedCallback() {
            this.view?.disconnect();
        }
        /** Re-reads the client's state now (it also follows client.on('consent' | 'segments')). */
        refresh() {
            return this.view?.refresh() ?? Promise.resolve();
        }
    }
    registry.define(tag, PreferenceCenter);
}

export { LABELS, definePreferenceCenter };
//# sourceMappingURL=ui.js.map
