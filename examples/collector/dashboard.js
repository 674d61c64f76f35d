// Collector dashboard: estimates with 95% intervals per cohort space (inline SVG), QA simulation
// against a known truth, and the lift view of `experiment-*` spaces (./lift.js). No library.
import { epsilonOf, lift, plan } from './lift.js';
import { audit, consentRates } from './metrics.js';
import { chart, fmtDay, num, WITHHELD } from './chart.js';
import { morphChildren } from './morph.js';
import { coalesce } from './refresh.js';

const $ = (id) => document.getElementById(id);
const DAY = 86_400_000;
const pct = (x) => `${(x * 100).toFixed(1)}%`;
const pp = (x) => `${(x * 100).toFixed(1)} pp`;

// The collector's day (GET /v1/spaces says it; the demo's collector may follow the page's clock).
let collectorToday;
const today = () => collectorToday ?? Math.floor(Date.now() / DAY);

// Read token: from the link the collector printed (#token=…), kept for this tab only, or asked for.
const TOKEN_KEY = 'cohortkit:read-token';
/** The link's #token= was not valid percent-encoding (a mangled copy-paste): ask for the token. */
let badTokenLink = false;
{
  const m = /(?:^#|&)token=([^&]*)/.exec(location.hash);
  if (m) {
    let token = '';
    try {
      token = decodeURIComponent(m[1]).trim();
    } catch {
      // URIError: not percent-encoding; the token form asks instead (below).
    }
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else badTokenLink = true;
    history.replaceState(null, '', location.pathname + location.search);
  }
}
const authHeaders = () => {
  const t = sessionStorage.getItem(TOKEN_KEY);
  return t ? { authorization: `Bearer ${t}` } : {};
};
/** Rejection reasons as a person reads them: "epoch: in the future" → "epoch in the future". */
const rejectedText = (counts) =>
  Object.entries(counts && typeof counts === 'object' ? counts : {})
    .filter(([, n]) => Number.isFinite(n))
    .sort((a, b) => b[1] - a[1])
    .map(([why, n]) => `${n.toLocaleString()} rejected: ${why.replace(/: /, ' ')}`);

function h(tag, attrs, ...kids) {
  const [name, ...cls] = tag.split('.');
  const el = document.createElement(name);
  if (cls.length) el.className = cls.join(' ');
  for (const [k, v] of Object.entries(attrs ?? {})) if (v != null) el.setAttribute(k, v);
  el.append(...kids.flat().filter((k) => k != null).map((k) => (k instanceof Node ? k : String(k))));
  return el;
}
async function getJSON(url, init = {}) {
  const r = await fetch(url, url.startsWith('/v1/') ? { ...init, headers: { ...init.headers, ...authHeaders() } } : init);
  const body = await r.json();
  if (r.status === 401) askToken();
  if (!r.ok) throw new Error(body?.error ?? `${r.status}`);
  return body;
}

/** Shows the read-token form (the collector answered 401). */
function askToken() {
  const f = $('token-form');
  f.hidden = false;
  f.querySelector('input').focus();
}
$('token-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const v = new FormData(ev.target).get('token').trim();
  if (v) sessionStorage.setItem(TOKEN_KEY, v);
  ev.target.hidden = true;
  ev.target.reset();
  load();
});
if (badTokenLink) {
  $('token-form').querySelector('span').textContent = 'The #token= in this link is not valid percent-encoding: paste the read token the collector printed.';
  askToken();
}

// The planner needs the reports' mechanism: cohortkit/ldp from the demo's build (absent: no plan line).
let mechanismAt;
import('/dist/ldp.js').then((m) => (mechanismAt = (epsilon) => m.createMechanism({ k: 5, epsilon })), () => {});

/** Conversion per arm and lift (treated − holdout) as readLift computes it (./lift.js), and what it would take to detect +2 pp. */
function liftView(est) {
  const l = lift(est);
  if (l.withheld) return h('div.lift', { 'data-lift': 'withheld' }, h('h3', null, 'Lift'), h('p.muted', null, 'An arm’s cohort is withheld (below the minimum count): no lift yet.'));
  const armRow = (name, a) => h('tr', null, h('td', null, name), h('td', null, num(a.n)), h('td', null, pct(a.rate)), h('td', null, `± ${pct(1.96 * a.stderr)}`));
  const verdict = l.ci95[0] > 0 ? 'positive' : l.ci95[1] < 0 ? 'negative' : 'not significant';
  const eligible = l.holdout.n + l.treated.n;
  const epsilon = mechanismAt && epsilonOf(est, mechanismAt);
  const base = l.holdout.n > 0 && l.holdout.rate > 0 && l.holdout.rate < 0.98 ? l.holdout.rate : 0.05;
  const need = epsilon && eligible > 0 && est.n > 0 ? plan({ baseline: base, lift: 0.02, share: Math.min(1, eligible / est.n), epsilon }, mechanismAt(epsilon), mechanismAt) : undefined;
  return h(
    'div.lift',
    { 'data-lift': verdict },
    h('h3', null, 'Lift'),
    h(
      'table.table',
      null,
      h('thead', null, h('tr', null, h('th', null, 'arm'), h('th', null, 'visitors (est.)'), h('th', null, 'conversion'), h('th', null, '95% ±'))),
      h('tbody', null, armRow('holdout', l.holdout), armRow('treated', l.treated)),
    ),
    h('p.big', null, `Lift ${l.lift >= 0 ? '+' : ''}${pp(l.lift)} `, h('span.muted', null, `(${l.summary.replace(/^[^,]*, /, '')})`)),
    h('p.muted.small', null, 'The interval counts the sampling of visitors in each arm and the LDP noise (with the covariance of the cohort estimates).'),
    need
      ? h(
          'p.plan',
          { 'data-visitors': need.visitors },
          `To detect +2 pp over ${pct(base)} at ε = ${epsilon.toFixed(1)} you need ≈ ${need.visitors.toLocaleString()} eligible visitors `,
          h('span.muted', null, `(${need.withoutPrivacy.toLocaleString()} without the privacy noise; 95% confidence, 80% power, half held out)`),
          `; you have ≈ ${Math.round(eligible).toLocaleString()}.`,
        )
      : null,
  );
}

const interval = (ci) => `${pct(ci[0])} – ${Number.isFinite(ci[1]) ? pct(ci[1]) : '∞'}`;

/** A fairness audit: membership rate per group and the disparity ratio with its flag (readAudit). */
function auditView(est) {
  const a = audit(est);
  const known = (x) => Number.isFinite(x);
  const row = (g) =>
    h('tr', { 'data-group': g.id }, h('td', null, g.id), h('td', null, known(g.n) ? num(g.n) : '—'),
      known(g.rate) ? [h('td', null, pct(g.rate)), h('td', null, interval(g.ci95))] : h('td.withheld', { colspan: 2 }, est.cohorts.some((c) => c.estimate == null) ? WITHHELD : 'no estimate yet'));
  const verdict = a.flagged ? 'flagged' : 'not flagged';
  return h(
    'div.audit',
    { 'data-flagged': String(a.flagged) },
    h('h3', null, 'Fairness audit ', h(a.flagged ? 'span.badge.warn' : 'span.badge', null, verdict)),
    h('table.table', null, h('thead', null, h('tr', null, ['group', 'visitors (est.)', 'in segment', '95% interval'].map((x) => h('th', null, x)))), h('tbody', null, a.groups.map(row))),
    known(a.ratio)
      ? h('p.big', null, `Ratio ${a.ratio.toFixed(2)} `, h('span.muted', null, `(${a.lowest} ÷ ${a.highest}, 95% CI ${a.ci95[0].toFixed(2)} – ${Number.isFinite(a.ci95[1]) ? a.ci95[1].toFixed(2) : '∞'})`))
      : h('p.muted', null, 'Ratio: needs two groups with an estimate.'),
    h('p.muted.small', null, a.flagged ? 'The whole interval is below 0.8 (four-fifths rule): a disparity the noise cannot explain.' : 'Flagged only when the whole interval is below 0.8 (four-fifths rule).'),
  );
}

/** Consent rates: granted / denied / unset per purpose with intervals (readConsentRates). */
function consentView(est) {
  const { purposes, rates: r, withheld } = consentRates(est);
  if (withheld) return h('p.withheld', null, `Consent rates: some combinations are ${WITHHELD}.`);
  const cell = (x) => (Number.isFinite(x.rate) ? `${pct(x.rate)} (${interval(x.ci95)})` : '—');
  return h(
    'div.consent-rates',
    null,
    h('h3', null, 'Consent rates'),
    h('table.table', null, h('thead', null, h('tr', null, ['purpose', 'granted', 'denied', 'unset'].map((x) => h('th', null, x)))),
      h('tbody', null, purposes.map((p) => h('tr', { 'data-purpose': p }, h('td', null, p), h('td', null, cell(r[p].granted)), h('td', null, cell(r[p].denied)), h('td', null, cell(r[p].unset)))))),
  );
}

const NO_REPORTS = 'no reports yet';
/** Cohorts drawn per card (chart and table): a 20,000-cohort space would take seconds per refresh. */
const MAX_ROWS = 200;

const shown = (x) => (x === undefined ? 'missing' : `${JSON.stringify(x) ?? String(x)}`.slice(0, 40));
const isNumber = (x) => typeof x === 'number' && !Number.isNaN(x);
/** What is wrong with a collector estimate the cards cannot draw (undefined when it is fine). */
function problemOf(est) {
  if (est == null || typeof est !== 'object') return `the answer is ${shown(est)}, not an estimate`;
  if (!Array.isArray(est.cohorts)) return `cohorts ${shown(est.cohorts)}, not a list`;
  if (!(Number.isFinite(est.n) && est.n >= 0)) return `n ${shown(est.n)}, not a count of reports`;
  if (est.epoch != null && !Number.isInteger(est.epoch)) return `epoch ${shown(est.epoch)}, not a day number`;
  if (est.rejected != null && (typeof est.rejected !== 'object' || Array.isArray(est.rejected))) return `rejected ${shown(est.rejected)}, not counts by reason`;
  const problems = [];
  for (const [i, c] of est.cohorts.entries()) {
    if (c == null || typeof c !== 'object') problems.push(`cohort #${i} ${shown(c)}, not a cohort`);
    else if (c.estimate === null) continue; // withheld on the wire: said so, never drawn
    else if (!isNumber(c.estimate)) problems.push(`cohort ${c.id}: estimate ${shown(c.estimate)}, not a number`);
    else if (!Array.isArray(c.ci95) || c.ci95.length !== 2 || !c.ci95.every(isNumber)) problems.push(`cohort ${c.id}: ci95 ${shown(c.ci95)}, not a pair of numbers`);
    else if (!isNumber(c.stderr)) problems.push(`cohort ${c.id}: stderr ${shown(c.stderr)}, not a number`);
  }
  if (problems.length) return problems.slice(0, 3).join('; ') + (problems.length > 3 ? ` (and ${problems.length - 3} more)` : '');
  return undefined;
}

/** A space the dashboard cannot show: its card says why, the other cards are unaffected. */
function errorCard(sp, message) {
  return h(
    'section.card',
    { 'data-space': String(sp?.id ?? ''), 'data-version': sp?.version },
    h('h2', null, String(sp?.id ?? '(no id)'), ' ', h('span.badge.warn', null, 'not shown')),
    h('p.rejected', { 'data-error': '' }, `Cannot show this space: ${message}`),
  );
}

function spaceCard(sp, est, truth) {
  const all = Array.isArray(truth?.truth) ? truth.truth : undefined;
  // n = 0: every estimate is a meaningless 0.0 – 0.0; say so instead.
  const empty = est.n === 0;
  // A huge space: the first MAX_ROWS cohorts only (their truth alongside), and a line saying so.
  const capped = est.cohorts.length > MAX_ROWS;
  const cohorts = capped ? est.cohorts.slice(0, MAX_ROWS) : est.cohorts;
  const t = all && (capped ? all.slice(0, MAX_ROWS) : all);
  const count = (i) => (Number.isFinite(t?.[i]?.count) ? t[i].count.toLocaleString() : '—');
  const table = h(
    'table.table.small',
    null,
    h('thead', null, h('tr', null, ['cohort', 'estimate', '95% interval', 'stderr', 'truth'].map((x) => h('th', null, x)))),
    h(
      'tbody',
      null,
      cohorts.map((c, i) =>
        h(
          'tr',
          { 'data-cohort': c.id },
          // The suppressed badge under the id: a sixth column does not fit a phone.
          h('td', null, c.id, c.suppressed && !empty ? [h('br'), h('span.badge.warn', null, 'suppressed')] : null),
          empty ? h('td.muted', { colspan: 3 }, '—') : c.estimate == null ? h('td.withheld', { colspan: 3 }, WITHHELD) : [h('td', null, num(c.estimate)), h('td', null, `${num(c.ci95[0])} – ${num(c.ci95[1])}`), h('td', null, num(c.stderr))],
          h('td', null, count(i)),
        ),
      ),
    ),
  );
  return h(
    'section.card',
    { 'data-space': sp.id, 'data-version': sp.version, 'data-n': est.n, 'data-epoch': est.epoch ?? '' },
    h('h2', null, String(sp.id), ' ', h('span.badge', null, `v${sp.version ?? 1}`), ' ', h('span.badge', null, `k = ${sp.k ?? est.cohorts.length}`)),
    h('p.muted.small', null, sp.description),
    h('p', null, h('strong.n', null, `n = ${est.n.toLocaleString()}`), ' reports', est.epoch != null ? ` · epoch ${est.epoch} (${fmtDay(est.epoch)})` : ''),
    rejectedText(est.rejected).length
      ? h('p.rejected', { 'data-rejected': Object.values(est.rejected).filter(Number.isFinite).reduce((a, b) => a + b, 0) }, rejectedText(est.rejected).join(' · '),
          h('span.muted.small', null, ` (received on ${fmtDay(est.epoch ?? today())})`))
      : null,
    empty ? h('p.muted.empty', { 'data-empty': '' }, `${NO_REPORTS}${est.epoch != null ? ' for this epoch' : ''}: nothing to estimate.`) : chart(cohorts, t),
    capped
      ? h('p.muted.small', { 'data-capped': est.cohorts.length }, `Showing the first ${MAX_ROWS} of ${est.cohorts.length.toLocaleString()} cohorts (GET /v1/estimates has them all).`)
      : null,
    table,
    t ? h('p.muted.small', null, 'Truth counts only the simulated visitors; real visitors of this epoch add to the estimates.') : null,
    !empty && String(sp.id).startsWith('experiment-') ? liftView(est) : null,
    !empty && String(sp.id).startsWith('audit-') ? auditView(est) : null,
    !empty && sp.id === 'consent' ? consentView(est) : null,
  );
}

const GOALS = ['acquisition', 'activation', 'retention', 'reactivation'];
let catalog;
/** The segment catalog (cohortkit/catalog) the demo server publishes; null elsewhere (then no goal view). */
const loadCatalog = () => (catalog ??= fetch('/demo-catalog.json').then((r) => (r.ok ? r.json() : null)).catch(() => null));

/** Every reported cohort grouped by its segment's goal (lifecycle order, then other goals), with its estimate. */
function goalCard(cat, estimates) {
  const goalOf = new Map(cat.segments.map((x) => [x.id, x.goal]));
  const rows = cat.spaces.flatMap((sp) =>
    sp.cohorts.map((c) => ({ sp, c, goal: goalOf.get(c.segment), n: estimates.get(sp.id)?.n, e: estimates.get(sp.id)?.cohorts.find((x) => x.id === c.id) })),
  );
  const rank = (g) => (GOALS.includes(g) ? GOALS.indexOf(g) : GOALS.length);
  const goals = [...new Set(rows.map((r) => r.goal).filter((g) => g != null))].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));
  if (!goals.length) return null;
  const value = (r) => (r.n === 0 ? NO_REPORTS : !r.e ? '—' : r.e.estimate == null ? WITHHELD : num(r.e.estimate));
  const ci = (r) => (r.n !== 0 && r.e?.ci95 && r.e.estimate != null ? `${num(r.e.ci95[0])} – ${num(r.e.ci95[1])}` : '');
  return h(
    'section.card.goals',
    { 'data-goals': goals.join(' ') },
    h('h2', null, 'By goal'),
    h('p.muted.small', null, 'Reported cohorts grouped by the goal of their segment (the segment catalog, cohortkit/catalog).'),
    goals.map((g) =>
      h(
        'div',
        { 'data-goal': g },
        h('h3', null, g),
        h(
          'table.table.small',
          null,
          h('thead', null, h('tr', null, ['space', 'cohort', 'segment', 'estimate', '95% interval'].map((x) => h('th', null, x)))),
          h('tbody', null, rows.filter((r) => r.goal === g).map((r) => h('tr', { 'data-cohort': `${r.sp.id}/${r.c.id}` }, h('td', null, r.sp.id), h('td', null, r.c.id), h('td', null, r.c.segment), h('td', null, value(r)), h('td', null, ci(r))))),
        ),
      ),
    ),
  );
}

let spaces = [];
/**
 * Reloads everything; `want` selects an epoch in the picker first. At most one reload in flight
 * and one pending (./refresh.js): the 3 s timer never queues reloads behind a slow one.
 */
const load = coalesce((want) => reload(want));
async function reload(want) {
  try {
    const all = await getJSON('/v1/spaces');
    if (!Array.isArray(all?.spaces)) throw new Error(`/v1/spaces: ${shown(all?.spaces)}, not a list of spaces`);
    spaces = all.spaces;
    collectorToday = all.today;
    // Rejected reports that name no configured space (unknown space, not an object…), today.
    const other = rejectedText(all.rejected?.[today()]?.['*']);
    $('rejected-other').textContent = other.length ? `Not attributed to a space today: ${other.join(' · ')}` : '';
    const sel = $('epoch');
    const epochs = [...new Set([today(), ...(want != null ? [Number(want)] : []), ...spaces.flatMap((x) => x.epochs ?? [])])].sort((a, b) => b - a);
    const keep = want === undefined ? sel.value : String(want);
    morphChildren(sel, [h('option', { value: '' }, 'latest with reports'), ...epochs.map((e) => h('option', { value: e }, `${e} · ${fmtDay(e)}`))]);
    sel.value = keep;
    const q = sel.value ? `&epoch=${sel.value}` : '';
    const estimates = new Map();
    // Each card on its own: a space the collector answers badly for says so in its card.
    const settled = await Promise.allSettled(
      spaces.map(async (sp) => {
        const est = await getJSON(`/v1/estimates?space=${encodeURIComponent(sp.id)}&version=${sp.version}${q}`);
        const problem = problemOf(est);
        if (problem) throw new Error(problem);
        const truth = est.epoch != null ? await getJSON(`/qa/truth?space=${encodeURIComponent(sp.id)}&epoch=${est.epoch}`).catch(() => null) : null;
        const card = spaceCard(sp, est, truth);
        estimates.set(sp.id, est);
        return card;
      }),
    );
    const cards = settled.map((r, i) => (r.status === 'fulfilled' ? r.value : errorCard(spaces[i], r.reason?.message ?? String(r.reason))));
    const cat = await loadCatalog();
    let goals = null;
    try {
      goals = cat && goalCard(cat, estimates);
    } catch (e) {
      goals = h('section.card.goals', null, h('h2', null, 'By goal'), h('p.rejected', { 'data-error': '' }, `Cannot group by goal: ${e.message}`));
    }
    // In place: the refresh rewrites only the text and attributes that changed (no flicker, no scroll jump).
    morphChildren($('spaces'), [...[goals].filter(Boolean), ...cards]);
    if (!$('sim-space').options.length) {
      $('sim-space').replaceChildren(...spaces.map((x) => h('option', { value: x.id }, x.id)));
      suggestTruth();
    }
    $('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
    document.body.dataset.loaded = String(Number(document.body.dataset.loaded ?? 0) + 1);
  } catch (e) {
    $('updated').textContent = `error: ${e.message}`;
  }
}

function suggestTruth() {
  const sp = spaces.find((x) => x.id === $('sim-space').value);
  const k = sp?.k ?? 2;
  $('sim-truth').value = Array.from({ length: k }, (_, i) => ((2 * (k - i)) / (k * (k + 1))).toFixed(2)).join(', ');
}
$('sim-space').addEventListener('change', suggestTruth);
$('epoch').addEventListener('change', () => load());

$('simulate').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const f = new FormData(ev.target);
  const epoch = $('epoch').value ? Number($('epoch').value) : today();
  const truth = String(f.get('truth')).split(/[\s,]+/).filter(Boolean).map(Number);
  $('sim-result').textContent = 'simulating…';
  try {
    const r = await getJSON('/qa/simulate', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ space: f.get('space'), n: Number(f.get('n')), epsilon: Number(f.get('epsilon')), epoch, truth: truth.length ? truth : undefined }),
    });
    $('sim-result').textContent = `${r.accepted} reports (${r.mechanism}, ε=${r.epsilon}) for epoch ${r.epoch}; truth ${r.truth.map((t) => `${t.id} ${t.count}`).join(', ')}`;
    await load(r.epoch);
  } catch (e) {
    $('sim-result').textContent = `error: ${e.message}`;
  }
});

setInterval(() => $('auto').checked && load(), 3000);
load();
