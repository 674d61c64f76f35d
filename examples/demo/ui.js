// DOM rendering for the demo page. Text goes in through textContent only (no innerHTML of data).
import { lapseAt } from './lapse.js';
import { describeCondition } from './why.js';

/** h('p.note', { title }, 'text', child) → element. Attributes starting with "on" are listeners. */
export function h(tag, attrs, ...kids) {
  const [name, ...classes] = tag.split('.');
  const el = document.createElement(name);
  if (classes.length) el.className = classes.join(' ');
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  el.append(...kids.flat().filter((k) => k !== undefined && k !== null && k !== false).map((k) => (k instanceof Node ? k : String(k))));
  return el;
}

export const fmtTime = (t) => (t === undefined ? '—' : new Date(t).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' }));
export const fmtDay = (epoch) => new Date(epoch * 86_400_000).toISOString().slice(0, 10);
const show = (v, path = '') =>
  v === undefined ? '—' : typeof v === 'number' && /Seen$/.test(path) ? fmtTime(v) : typeof v === 'string' ? v : JSON.stringify(v);
const badge = (text, kind = '') => h(`span.badge${kind ? '.' + kind : ''}`, null, text);

/** Checkbox per purpose. */
export function renderPurposes(box, purposes, state, onChange) {
  box.replaceChildren(
    ...purposes.map((p) =>
      h(
        'label.purpose',
        null,
        h('input', { type: 'checkbox', name: p.id, checked: state?.[p.id] === 'granted', onchange: onChange && ((e) => onChange(p.id, e.target.checked)) }),
        h('span', null, h('strong', null, p.id), ' ', state ? badge(state[p.id], state[p.id]) : null, h('br'), h('span.muted.small', null, p.description)),
      ),
    ),
  );
}

/** Memberships with their explanation, lineage, purposes and lapse time. */
export function renderSegments(box, memberships, { defs, signals, now, open = new Set() }) {
  if (!memberships.length) return box.replaceChildren(h('p.muted', null, 'No segments yet. Give consent and act like a visitor.'));
  const ruleOf = (id) => defs.find((d) => d.id === id)?.rule;
  box.replaceChildren(
    ...memberships.map((m) => {
      const def = defs.find((d) => d.id === m.id) ?? {};
      const e = m.explanation;
      const lapse = lapseAt(def.rule ?? {}, signals, ruleOf);
      const until =
        lapse === undefined ? 'while its conditions hold' : lapse <= now ? 'now (at the next evaluation)' : `${fmtTime(lapse)} unless renewed`;
      return h(
        'details.segment',
        { 'data-segment': m.id, open: open.has(m.id), ontoggle: (e) => (e.target.open ? open.add(m.id) : open.delete(m.id)) },
        h(
          'summary',
          null,
          h('strong', null, m.id),
          ' ',
          def.sensitive ? badge('sensitive', 'warn') : null,
          e.purposes.length ? null : badge('context only', 'info'),
          def.goal || m.id.startsWith('exp-') ? badge(def.goal ?? 'experiment') : null,
          h('div.muted.small', null, def.description),
        ),
        h('p.small', null, 'Why am I in this segment? ', h('strong', null, e.reason), ` · since ${fmtTime(m.since)} · lapses ${until}`),
        h(
          'table.table.small',
          null,
          h('thead', null, h('tr', null, h('th', null, 'expected'), h('th', null, 'observed'), h('th', null, ''))),
          h(
            'tbody',
            null,
            e.conditions.map((c) => {
              const w = describeCondition(def.rule, c);
              return h(
                'tr',
                { 'data-path': c.path, 'data-holds': String(w.holds) },
                h('td', null, h('span.why', null, w.text), h('div', null, h('code.muted', null, c.path))),
                h('td', null, show(c.observed, c.path)),
                h('td', { title: w.holds ? 'holds' : 'does not hold' }, w.holds ? '✓' : '✗'),
              );
            }),
          ),
        ),
        h(
          'p.small',
          null,
          'Signals used: ',
          e.signals.length ? e.signals.map((s) => `${s.event} ×${s.count} (last ${fmtTime(s.lastSeen)})`).join(', ') : 'none (context only)',
          h('br'),
          'Purposes: ',
          e.purposes.length ? e.purposes.join(', ') : 'none: nothing stored',
        ),
      );
    }),
  );
}

const REASONS = {
  segment: 'personalized for segment',
  holdout: 'holdout (experiment): the default is shown so we can measure the lift; you would have seen the variant for',
  capped: 'frequency cap reached: default shown',
  'no-match': 'no segment matched: default shown',
  'no-consent': 'no consent for the matching segment: default shown',
};

/** The personalized slots with each decision's reason. */
export function renderSlots(box, slots, decisions) {
  box.replaceChildren(
    ...slots.map((s, i) => {
      const d = decisions[i];
      return h(
        'div.slot',
        { 'data-slot': s.slot, 'data-reason': d?.reason ?? '' },
        h('div.slot-head', null, h('strong', null, s.title), h('span.muted.small', null, s.note ?? '')),
        h('div.slot-value', null, String(d?.value ?? s.fallback)),
        h('div.small.reason', null, badge(d?.reason ?? '…', d?.reason === 'segment' ? 'granted' : ''), ' ', REASONS[d?.reason] ?? '', d?.segment ? ` ${d.segment}` : ''),
      );
    }),
  );
}

/** The network log (newest first). */
export function renderNetwork(tbody, log) {
  if (!log.length) return;
  tbody.replaceChildren(
    ...log
      .slice()
      .reverse()
      .map((r) =>
        h(
          'tr',
          null,
          h('td.nowrap', null, new Date(r.at).toLocaleTimeString(), r.restored ? h('div.muted.small', null, 'before reload') : null),
          h('td', null, h('code', null, `${r.method} ${r.url}`), h('div.muted.small', null, r.via === 'fetch' ? `credentials: ${r.options?.credentials ?? 'default'}, referrerPolicy: ${r.options?.referrerPolicy ?? 'default'}, keepalive: ${!!r.options?.keepalive}` : r.via)),
          h('td', null, String(r.status)),
          h('td', null, h('pre.body', null, r.body || '(empty)')),
        ),
      ),
  );
}

/** The reports the client says it sent. */
export function renderReports(list, reports) {
  if (!reports.length) return list.replaceChildren(h('li.muted', null, 'none yet'));
  list.replaceChildren(
    ...reports.map((r) => h('li', { 'data-space': r.space }, h('code', null, `${r.space} · epoch ${r.epoch} (${fmtDay(r.epoch)}) · ${r.mechanism} ε=${r.epsilon} · k=${r.k}`), h('pre.body', null, JSON.stringify(r)))),
  );
}

/** The lifetime accountant (report.lifetimeBudget): fresh draws only, memoized repeats are free. */
function lifetimeLine(l) {
  if (!l) return h('span');
  const per = Object.entries(l.bySpace).map(([s, e]) => `${s} ${e}`).join(', ') || 'nothing yet';
  const cap = l.budget === null ? 'no cap' : `cap ${l.budget} per space`;
  return h(
    'p.small',
    { id: 'lifetime' },
    'Lifetime (fresh draws; repeats are free): ',
    h('span.greek', null, 'ε'),
    ` = ${l.spent} (${per}), ${cap}`,
    l.exhausted.length ? ` · no longer reported: ${l.exhausted.join(', ')}` : '',
  );
}

/** ε spent per epoch, what was reported with which mechanism, and what is stored per purpose. */
export function renderPrivacy(box, data, purposes) {
  const epochs = data.privacy?.epochs ?? [];
  const reports = [...data.reports.sent.map((r) => [r, 'sent']), ...data.reports.queued.map((r) => [r, 'queued'])];
  box.replaceChildren(
    h('h3', null, 'Privacy budget (', h('span.greek', null, 'ε'), ' per epoch)'),
    epochs.length
      ? h(
          'table.table.small',
          null,
          h('thead', null, h('tr', null, h('th', null, 'epoch'), h('th', null, 'spent'), h('th', null, 'budget'), h('th', null, 'skipped'))),
          h('tbody', null, epochs.map((e) => h('tr', null, h('td', null, `${e.epoch} (${fmtDay(e.epoch)})`), h('td', null, e.spent), h('td', null, e.budget), h('td', null, e.skipped.join(', ') || '—')))),
        )
      : h('p.muted.small', null, 'No ε spent yet: reports need measurement consent.'),
    lifetimeLine(data.privacy?.lifetime),
    h('h3', null, 'Reports'),
    reports.length
      ? h('ul.small', null, reports.map(([r, st]) => h('li', null, `${r.space}: ${r.mechanism}, ε=${r.epsilon}, k=${r.k}, ${st}`)))
      : h('p.muted.small', null, 'None.'),
    h('h3', null, 'Stored on this device, by purpose'),
    h(
      'table.table.small',
      { id: 'stored' },
      h('thead', null, h('tr', null, h('th', null, 'purpose'), h('th', null, 'signals'), h('th', null, 'events'), h('th', null, 'segments'))),
      h(
        'tbody',
        null,
        purposes.map((p) => {
          const sig = data.signals.filter((s) => s.purposes.includes(p.id));
          const mem = data.segments.filter((m) => m.explanation.purposes.includes(p.id));
          return h('tr', null, h('td', null, p.id), h('td', null, sig.length), h('td', null, sig.reduce((a, s) => a + s.count, 0)), h('td', null, mem.length));
        }),
      ),
    ),
    h('p.muted.small', null, `Storage: ${data.storage ?? 'indexeddb'} · ${data.signals.length} signal rollups · ${data.consent.history.length} ledger records`),
  );
}
