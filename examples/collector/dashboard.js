// Collector dashboard: estimates with 95% intervals per cohort space (inline SVG), QA simulation
// against a known truth, and the lift view of `experiment-*` spaces (./lift.js). No library.
import { epsilonOf, lift, plan } from './lift.js';
import { audit, consentRates } from './metrics.js';

const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
const DAY = 86_400_000;
const fmtDay = (e) => new Date(e * DAY).toISOString().slice(0, 10);
const num = (x) => (Math.abs(x) >= 100 ? Math.round(x).toLocaleString() : x.toFixed(1));
const pct = (x) => `${(x * 100).toFixed(1)}%`;
const pp = (x) => `${(x * 100).toFixed(1)} pp`;
const WITHHELD = 'withheld (fewer than minCount)';

// The collector's day (GET /v1/spaces says it; the demo's collector may follow the page's clock).
let collectorToday;
const today = () => collectorToday ?? Math.floor(Date.now() / DAY);

// Read token: from the link the collector printed (#token=…), kept for this tab only, or asked for.
const TOKEN_KEY = 'cohortkit:read-token';
{
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (m) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
    history.replaceState(null, '', location.pathname + location.search);
  }
}
const authHeaders = () => {
  const t = sessionStorage.getItem(TOKEN_KEY);
  return t ? { authorization: `Bearer ${t}` } : {};
};
/** Rejection reasons as a person reads them: "epoch: in the future" → "epoch in the future". */
const rejectedText = (counts) =>
  Object.entries(counts ?? {})
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
function s(tag, attrs, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v != null) el.setAttribute(k, v);
  if (text != null) el.textContent = text;
  return el;
}
async function getJSON(url, init = {}) {
  const r = await fetch(url, url.startsWith('/v1/') ? { ...init, headers: { ...init.headers, ...authHeaders() } } : init);
  const body = await r.json();
  if (r.status === 401) askToken();
  if (!r.ok) throw new Error(body.error ?? `${r.status}`);
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

/** Horizontal bars (estimate), whiskers (ci95), ◆ truth; suppressed cohorts hatched. */
function chart(cohorts, truth) {
  const W = 560, L = 130, R = 70, row = 30, top = 8;
  const H = top + row * cohorts.length + 22;
  const vals = cohorts.filter((c) => c.estimate != null).flatMap((c) => [c.ci95[0], c.ci95[1], c.estimate]).concat(truth ? truth.map((t) => t.count) : []);
  const lo = Math.min(0, ...vals), hi = Math.max(1, ...vals);
  const x = (v) => L + ((v - lo) / (hi - lo)) * (W - L - R);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img' });
  const hatch = s('pattern', { id: 'hatch', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' });
  hatch.append(s('rect', { width: 6, height: 6, class: 'hatch-bg' }), s('line', { x1: 0, y1: 0, x2: 0, y2: 6, class: 'hatch-line' }));
  svg.append(
    s('defs', {}),
    s('line', { x1: x(0), x2: x(0), y1: top - 4, y2: H - 18, class: 'axis' }),
    s('text', { x: x(0), y: H - 4, class: 'tick', 'text-anchor': 'middle' }, '0'),
    s('text', { x: x(hi), y: H - 4, class: 'tick', 'text-anchor': 'middle' }, num(hi)),
  );
  svg.firstChild.append(hatch);
  cohorts.forEach((c, i) => {
    const y = top + i * row, mid = y + row / 2 - 2;
    if (c.estimate == null) {
      // Withheld on the wire (publish 'unsuppressed'): a label, never a bar.
      const g = s('g', { class: 'bar withheld', 'data-cohort': c.id });
      g.append(
        s('text', { x: L - 8, y: mid + 4, 'text-anchor': 'end', class: 'label' }, c.id),
        s('text', { x: L + 4, y: mid + 4, class: 'value' }, WITHHELD),
        s('title', {}, `${c.id}: ${WITHHELD}`),
      );
      return svg.append(g);
    }
    const x0 = x(Math.min(0, c.estimate)), x1 = x(Math.max(0, c.estimate));
    const g = s('g', { class: c.suppressed ? 'bar suppressed' : 'bar', 'data-cohort': c.id });
    g.append(
      s('text', { x: L - 8, y: mid + 4, 'text-anchor': 'end', class: 'label' }, c.id),
      s('rect', { x: x0, y: y + 5, width: Math.max(1, x1 - x0), height: row - 14, rx: 3 }),
      s('line', { x1: x(c.ci95[0]), x2: x(c.ci95[1]), y1: mid, y2: mid, class: 'whisker' }),
      s('line', { x1: x(c.ci95[0]), x2: x(c.ci95[0]), y1: mid - 5, y2: mid + 5, class: 'whisker' }),
      s('line', { x1: x(c.ci95[1]), x2: x(c.ci95[1]), y1: mid - 5, y2: mid + 5, class: 'whisker' }),
      s('text', { x: W - R + 6, y: mid + 4, class: 'value' }, num(c.estimate)),
      s('title', {}, `${c.id}: ${num(c.estimate)} (95% CI ${num(c.ci95[0])} – ${num(c.ci95[1])})${c.suppressed ? ', suppressed' : ''}`),
    );
    const t = truth?.[i]?.count;
    if (t != null) g.append(s('path', { d: `M${x(t)} ${mid - 7}l6 7-6 7-6-7z`, class: 'truth' }));
    svg.append(g);
  });
  return svg;
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
  const need = epsilon && eligible > 0 && est.n > 0 ? plan({ baseline: base, lift: 0.02, share: Math.min(1, eligible / est.n) }, mechanismAt(epsilon)) : undefined;
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

function spaceCard(sp, est, truth) {
  const t = truth?.truth;
  const table = h(
    'table.table.small',
    null,
    h('thead', null, h('tr', null, ['cohort', 'estimate', '95% interval', 'stderr', 'truth', ''].map((x) => h('th', null, x)))),
    h(
      'tbody',
      null,
      est.cohorts.map((c, i) =>
        h(
          'tr',
          { 'data-cohort': c.id },
          h('td', null, c.id),
          c.estimate == null ? h('td.withheld', { colspan: 3 }, WITHHELD) : [h('td', null, num(c.estimate)), h('td', null, `${num(c.ci95[0])} – ${num(c.ci95[1])}`), h('td', null, num(c.stderr))],
          h('td', null, t ? t[i].count.toLocaleString() : '—'),
          h('td', null, c.suppressed ? h('span.badge.warn', null, 'suppressed') : ''),
        ),
      ),
    ),
  );
  return h(
    'section.card',
    { 'data-space': sp.id, 'data-version': sp.version, 'data-n': est.n },
    h('h2', null, sp.id, ' ', h('span.badge', null, `v${sp.version ?? 1}`), ' ', h('span.badge', null, `k = ${sp.k ?? est.cohorts.length}`)),
    h('p.muted.small', null, sp.description),
    h('p', null, h('strong.n', null, `n = ${est.n.toLocaleString()}`), ' reports', est.epoch != null ? ` · epoch ${est.epoch} (${fmtDay(est.epoch)})` : ' · no reports yet'),
    rejectedText(est.rejected).length
      ? h('p.rejected', { 'data-rejected': Object.values(est.rejected).reduce((a, b) => a + b, 0) }, rejectedText(est.rejected).join(' · '),
          h('span.muted.small', null, ` (received on ${fmtDay(est.epoch ?? today())})`))
      : null,
    chart(est.cohorts, t),
    table,
    t ? h('p.muted.small', null, 'Truth counts only the simulated visitors; real visitors of this epoch add to the estimates.') : null,
    sp.id.startsWith('experiment-') ? liftView(est) : null,
    sp.id.startsWith('audit-') ? auditView(est) : null,
    sp.id === 'consent' ? consentView(est) : null,
  );
}

const GOALS = ['acquisition', 'activation', 'retention', 'reactivation'];
let catalog;
/** The segment catalog (cohortkit/catalog) the demo server publishes; null elsewhere (then no goal view). */
const loadCatalog = () => (catalog ??= fetch('/demo-catalog.json').then((r) => (r.ok ? r.json() : null)).catch(() => null));

/** Every reported cohort grouped by its segment's goal (lifecycle order, then other goals), with its estimate. */
function goalCard(cat, estimates) {
  const goalOf = new Map(cat.segments.map((x) => [x.id, x.goal]));
  const rows = cat.spaces.flatMap((sp) => sp.cohorts.map((c) => ({ sp, c, goal: goalOf.get(c.segment), e: estimates.get(sp.id)?.cohorts.find((x) => x.id === c.id) })));
  const rank = (g) => (GOALS.includes(g) ? GOALS.indexOf(g) : GOALS.length);
  const goals = [...new Set(rows.map((r) => r.goal).filter((g) => g != null))].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));
  if (!goals.length) return null;
  const value = (e) => (!e ? '—' : e.estimate == null ? WITHHELD : num(e.estimate));
  const ci = (e) => (e?.ci95 && e.estimate != null ? `${num(e.ci95[0])} – ${num(e.ci95[1])}` : '');
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
          h('tbody', null, rows.filter((r) => r.goal === g).map((r) => h('tr', { 'data-cohort': `${r.sp.id}/${r.c.id}` }, h('td', null, r.sp.id), h('td', null, r.c.id), h('td', null, r.c.segment), h('td', null, value(r.e)), h('td', null, ci(r.e))))),
        ),
      ),
    ),
  );
}

let spaces = [];
let queue = Promise.resolve();
/** Reloads everything (serialized); `want` selects an epoch in the picker first. */
const load = (want) => (queue = queue.then(() => reload(want)));
async function reload(want) {
  try {
    const all = await getJSON('/v1/spaces');
    spaces = all.spaces;
    collectorToday = all.today;
    // Rejected reports that name no configured space (unknown space, not an object…), today.
    const other = rejectedText(all.rejected?.[today()]?.['*']);
    $('rejected-other').textContent = other.length ? `Not attributed to a space today: ${other.join(' · ')}` : '';
    const sel = $('epoch');
    const epochs = [...new Set([today(), ...(want != null ? [Number(want)] : []), ...spaces.flatMap((x) => x.epochs ?? [])])].sort((a, b) => b - a);
    const keep = want === undefined ? sel.value : String(want);
    sel.replaceChildren(h('option', { value: '' }, 'latest with reports'), ...epochs.map((e) => h('option', { value: e }, `${e} · ${fmtDay(e)}`)));
    sel.value = keep;
    const q = sel.value ? `&epoch=${sel.value}` : '';
    const estimates = new Map();
    const cards = await Promise.all(
      spaces.map(async (sp) => {
        const est = await getJSON(`/v1/estimates?space=${encodeURIComponent(sp.id)}&version=${sp.version}${q}`);
        estimates.set(sp.id, est);
        const truth = est.epoch != null ? await getJSON(`/qa/truth?space=${encodeURIComponent(sp.id)}&epoch=${est.epoch}`).catch(() => null) : null;
        return spaceCard(sp, est, truth);
      }),
    );
    const cat = await loadCatalog();
    $('spaces').replaceChildren(...[cat && goalCard(cat, estimates)].filter(Boolean), ...cards);
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
