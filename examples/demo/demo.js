// The QA demo page: wires a cohortkit client (the IIFE's global `Cohortkit`) to the panels.
import serverConfig from '/demo-config.json' with { type: 'json' };
import { ACTIONS, POLICY, PRESETS, PURPOSES, SEGMENTS, SLOTS } from './config.js';
import * as ui from './ui.js';

const DAY = 86_400_000;
const $ = (id) => document.getElementById(id);

// Time travel: the client reads this clock, so windows, retention and epochs move with it.
let offset = Number(sessionStorage.getItem('demo:offset')) || 0;
const now = () => Date.now() + offset;
// QA ONLY: the demo's collector follows this page's clock (POST /qa/clock, a demo-server route),
// so reports dated "+7 days" land in an epoch it accepts. Untick "collector follows" to see the
// collector refuse them ("epoch: in the future") on the dashboard instead.
let follow = sessionStorage.getItem('demo:follow') !== 'off';
const syncCollectorClock = () =>
  fetch('/qa/clock', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ offset: follow ? offset : 0 }) }).catch(() => {});
await syncCollectorClock();

const allSegments = [...SEGMENTS, ...serverConfig.segments];
const client = await window.Cohortkit.createClient({
  namespace: 'demo',
  purposes: PURPOSES,
  policyVersion: POLICY.version,
  segments: allSegments,
  cohorts: serverConfig.spaces,
  report: { endpoint: `${location.origin}/v1/reports`, epsilon: 1, lifetimeBudget: 4 },
  now,
});
window.demoClient = client; // for QA in the console and the e2e test

const openSegments = new Set();
// The reports on('report') announced, kept for this tab (bounded) like the network log, so both
// panels still agree with the privacy panel (persisted by cohortkit) after a reload.
const REPORTS_KEY = 'demo:reports';
const reports = (() => {
  try {
    const v = JSON.parse(sessionStorage.getItem(REPORTS_KEY) ?? '[]');
    return Array.isArray(v) ? v.filter((r) => r && typeof r === 'object' && typeof r.space === 'string' && Number.isInteger(r.epoch) && Math.abs(r.epoch) < 1e6).slice(-50) : [];
  } catch {
    return [];
  }
})();
const saveReports = () => {
  try {
    sessionStorage.setItem(REPORTS_KEY, JSON.stringify(reports.slice(-50)));
  } catch {
    /* storage full or blocked: this page's reports only */
  }
};
const trackLog = [];
let decisions = [];

client.on('report', (r) => {
  reports.push(r);
  if (reports.length > 50) reports.splice(0, reports.length - 50);
  saveReports();
  ui.renderReports($('reports'), reports);
});
client.on('error', (e) => console.warn('cohortkit error:', e));

/** One "page view": decide every slot (each decision counts toward caps; the hero's arm is recorded by cohortkit). */
async function renderSlots() {
  decisions = [];
  for (const s of SLOTS) {
    const { title: _t, note: _n, ...req } = s;
    decisions.push(await client.decide(req));
  }
  ui.renderSlots($('slots'), SLOTS, decisions);
}

let pending;
/** Re-render every panel from the client's state (coalesced). */
function refresh() {
  pending ??= Promise.resolve().then(async () => {
    pending = undefined;
    const state = client.consent.get();
    const [memberships, data] = await Promise.all([client.segments(), client.exportData()]);
    $('banner').hidden = !Object.values(state).includes('unset');
    ui.renderSegments($('segments'), memberships, { defs: allSegments, signals: data.signals, now: now(), open: openSegments });
    ui.renderPrivacy($('privacy'), data, PURPOSES);
    $('clock').textContent = ui.fmtTime(now());
    $('offset').textContent = offset ? `+${Math.round(offset / DAY)} days` : 'real time';
    document.body.dataset.ready = String(Number(document.body.dataset.ready ?? 0) + 1);
  });
  return pending;
}

async function consent(choices, source) {
  await client.consent.update(choices, { source });
  await renderSlots();
  await refresh();
}

let tracked = 0;
/** A line at the top of the action log (the last 8 are shown). */
function logLine(t) {
  trackLog.unshift(t);
  $('track-log').replaceChildren(...trackLog.slice(0, 8).map((x) => ui.h('li', null, x)));
}

async function act(key) {
  const [event, props] = ACTIONS[key][1]();
  const r = await client.track(event, props).catch((e) => ({ stored: false, reason: e.code }));
  logLine(`${event} ${JSON.stringify(props)} → ${r.reason}`);
  document.body.dataset.tracked = String(++tracked);
  await renderSlots();
}

async function travel(days) {
  offset = days ? offset + days * DAY : 0;
  sessionStorage.setItem('demo:offset', String(offset));
  await syncCollectorClock();
  await renderSlots();
  await refresh();
}

// Banner
$('policy-text').textContent = POLICY.text;
$('policy-version').textContent = POLICY.version;
ui.renderPurposes($('banner-purposes'), PURPOSES);
const all = (on) => Object.fromEntries(PURPOSES.map((p) => [p.id, on]));
$('banner-accept').addEventListener('click', () => consent(all(true), 'banner'));
$('banner-reject').addEventListener('click', () => consent(all(false), 'banner'));
$('banner-save').addEventListener('click', () =>
  consent(Object.fromEntries([...$('banner-purposes').querySelectorAll('input')].map((i) => [i.name, i.checked])), 'banner'),
);

// Visitor actions and journeys
$('actions').replaceChildren(...Object.entries(ACTIONS).map(([k, [label]]) => ui.h('button', { 'data-action': k, onclick: () => act(k).then(refresh) }, label)));
$('presets').replaceChildren(
  ...Object.entries(PRESETS).map(([name, steps]) =>
    ui.h('button.preset', {
      'data-preset': name,
      onclick: async () => {
        for (const s of steps) await (Array.isArray(s) ? travel(s[1]) : act(s));
        await refresh();
      },
    }, name),
  ),
);
for (const b of document.querySelectorAll('[data-travel]')) b.addEventListener('click', () => travel(Number(b.dataset.travel)));
$('follow').checked = follow;
$('follow').addEventListener('change', async () => {
  follow = $('follow').checked;
  sessionStorage.setItem('demo:follow', follow ? 'on' : 'off');
  await syncCollectorClock();
  await refresh();
});

// Network, flush, export, forget
addEventListener('demo:net', () => ui.renderNetwork($('network'), window.demoNetLog));
ui.renderNetwork($('network'), window.demoNetLog);
ui.renderReports($('reports'), reports);
$('flush').addEventListener('click', async () => {
  const r = await client.flush();
  $('flush-result').textContent = `flush(): sent ${r.sent}, still queued ${r.queued}`;
  await refresh();
});
// Preference center: the shipped component (toggles with source preference-center, download,
// forget with its own confirmation, why, ledger + verify), live through client.on.
window.CohortkitUI.definePreferenceCenter(client, { heading: '' });
$('prefs').addEventListener('cohortkit-consent', () => renderSlots());
$('prefs').addEventListener('cohortkit-forget', async () => {
  // What the lines below this one stored is gone: the log says so instead of still reading "stored".
  logLine('forget(): everything above was deleted from this device');
  reports.length = 0;
  saveReports();
  ui.renderReports($('reports'), reports);
  await renderSlots();
  await refresh();
});

client.on('consent', refresh);
client.on('segments', refresh);
await renderSlots();
await refresh();
