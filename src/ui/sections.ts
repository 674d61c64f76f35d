// Pure renderers (data and labels in, elements out) for the ledger and the memberships of the preference center.
import type { ConsentRecord, ConsentValue, Membership } from '../types';
import { fmtTime, h, show } from './dom';
import { fill, type PreferenceLabels } from './labels';

/** What a purpose's state means to a visitor. */
export const stateText = (L: PreferenceLabels, v: ConsentValue): string => (v == 'granted' ? L.on : v == 'denied' ? L.off : L.unset);

const purged = (L: PreferenceLabels, r: ConsentRecord) =>
  r.purged ? fill(L.purged, { signals: r.purged.signals, segments: r.purged.memberships, reports: r.purged.reports }) : '—';

/** The verify() line: intact, broken, or nothing recorded. */
export function verifyText(L: PreferenceLabels, count: number, verified: boolean): [text: string, ok: boolean] {
  if (!count) return [L.empty, true];
  return verified ? [fill(L.verified, { count }), true] : [L.broken, false];
}

/**
 * The consent ledger, oldest first. In a narrow container each record stacks as labelled lines
 * (CSS container query: the header row gives way to a label in each cell; explicit ARIA roles
 * keep the table semantics when display changes), and the table scrolls inside its own box where
 * container queries are unsupported.
 */
export function ledgerTable(L: PreferenceLabels, history: ConsentRecord[]): HTMLElement {
  const cols = L.columns.split('|');
  // Each cell carries its column name, shown (and read) only where the records stack.
  const cell = (i: number, kid: Node | string | number, cls = '') => h(`td${cls}`, { role: 'cell' }, h('span.ck-label', null, `${cols[i] ?? ''} `), kid);
  return h(
    'div.ck-scroll',
    { role: 'region', 'aria-label': L.history, tabindex: 0 },
    h(
      'table',
      { role: 'table' },
      h('thead', { role: 'rowgroup' }, h('tr', { role: 'row' }, cols.map((c) => h('th', { scope: 'col', role: 'columnheader' }, c)))),
      h(
        'tbody',
        { role: 'rowgroup' },
        history.map((r) =>
          h(
            'tr',
            { role: 'row', 'data-ck-seq': r.seq, 'data-ck-source': r.source },
            cell(0, r.seq),
            cell(1, fmtTime(r.at)),
            cell(2, h('code', null, r.purpose)),
            cell(3, r.granted ? L.granted : L.revoked, r.granted ? '.ck-ok' : '.ck-bad'),
            cell(4, r.source),
            cell(5, r.policyVersion ?? '—'),
            cell(6, purged(L, r)),
          ),
        ),
      ),
    ),
  );
}

/**
 * One `<details>` per membership: why (reason, each condition with what was observed and expected),
 * which signals, under which purposes. `open` holds the ids the visitor opened (kept across renders).
 */
export function membershipList(L: PreferenceLabels, list: Membership[], describe: (id: string) => string | undefined, open: Set<string>): HTMLElement {
  if (!list.length) return h('p.ck-muted', null, L.noSegments);
  const reason = (r: string) => (L as Record<string, string>)[r] ?? r;
  return h(
    'div',
    null,
    list.map((m) => {
      const e = m.explanation;
      const signal = (s: Membership['explanation']['signals'][number]) =>
        fill(L.signal, { event: s.event, count: s.count }) + (s.lastSeen === undefined ? '' : fill(L.lastSeen, { time: fmtTime(s.lastSeen) }));
      const d = h<HTMLDetailsElement>(
        'details',
        { 'data-ck-segment': m.id, open: open.has(m.id) },
        h('summary', null, h('code', null, m.id), describe(m.id) ? [' · ', h('bdi', null, describe(m.id))] : ''),
        h('p', null, fill(L.because, { reason: reason(e.reason), since: fmtTime(m.since) })),
        e.conditions.length
          ? h(
              'ul.ck-conditions',
              null,
              e.conditions.map((c) => h('li', null, `${c.passed ? '✓' : '✗'} `, h('code', null, c.path), fill(L.condition, { observed: show(c.observed), expected: show(c.expected) }))),
            )
          : null,
        h(
          'p.ck-small',
          null,
          e.signals.length ? fill(L.basedOn, { signals: e.signals.map(signal).join(', ') }) : L.contextOnly,
          ' ',
          e.purposes.length ? fill(L.reliesOn, { purposes: e.purposes.join(', ') }) : L.noConsentNeeded,
        ),
      );
      d.addEventListener('toggle', () => (d.open ? open.add(m.id) : open.delete(m.id)));
      return d;
    }),
  );
}
