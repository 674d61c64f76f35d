// Pure renderers (data in, elements out) for the ledger and the memberships of the preference center.
import type { ConsentRecord, ConsentValue, Membership } from '../types';
import { fmtTime, h, show } from './dom';

/** What a purpose's state means to a visitor. */
export const STATE_TEXT: Record<ConsentValue, string> = { granted: 'on', denied: 'off', unset: 'not chosen yet (off)' };

const REASONS: Record<string, string> = {
  match: 'every condition holds',
  'no-match': 'a condition does not hold',
  'no-consent': 'a purpose it relies on is not granted',
  'insufficient-evidence': 'not enough supporting events yet',
  'unknown-segment': 'no such segment',
};

const purged = (r: ConsentRecord) => (r.purged ? `${r.purged.signals} signals, ${r.purged.memberships} segments, ${r.purged.reports} reports` : '—');

/** The verify() line: intact, broken, or nothing recorded. */
export function verifyText(count: number, verified: boolean): [text: string, ok: boolean] {
  if (!count) return ['No consent decision recorded yet.', true];
  return verified
    ? [`✓ Ledger verified: the hash chain of ${count} ${count == 1 ? 'record' : 'records'} is intact.`, true]
    : ['✗ Ledger check failed: the hash chain is broken.', false];
}

const COLS = ['#', 'When', 'Purpose', 'Choice', 'Source', 'Policy', 'Deleted'];

/**
 * The consent ledger, oldest first. In a narrow container each record stacks as labelled lines
 * (CSS container query: the header row gives way to a label in each cell; explicit ARIA roles
 * keep the table semantics when display changes), and the table scrolls inside its own box where
 * container queries are unsupported.
 */
export function ledgerTable(history: ConsentRecord[]): HTMLElement {
  // Each cell carries its column name, shown (and read) only where the records stack.
  const cell = (i: number, kid: Node | string | number, cls = '') => h(`td${cls}`, { role: 'cell' }, h('span.ck-label', null, `${COLS[i]} `), kid);
  return h(
    'div.ck-scroll',
    { role: 'region', 'aria-label': 'Consent history', tabindex: 0 },
    h(
      'table',
      { role: 'table' },
      h('thead', { role: 'rowgroup' }, h('tr', { role: 'row' }, COLS.map((c) => h('th', { scope: 'col', role: 'columnheader' }, c)))),
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
            cell(3, r.granted ? 'granted' : 'withdrawn', r.granted ? '.ck-ok' : '.ck-bad'),
            cell(4, r.source),
            cell(5, r.policyVersion ?? '—'),
            cell(6, purged(r)),
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
export function membershipList(list: Membership[], describe: (id: string) => string | undefined, open: Set<string>): HTMLElement {
  if (!list.length) return h('p.ck-muted', null, 'You are in no segment: nothing is personalized for you.');
  return h(
    'div',
    null,
    list.map((m) => {
      const e = m.explanation;
      const d = h<HTMLDetailsElement>(
        'details',
        { 'data-ck-segment': m.id, open: open.has(m.id) },
        h('summary', null, h('code', null, m.id), describe(m.id) ? ` · ${describe(m.id)}` : ''),
        h('p', null, `Why: ${REASONS[e.reason] ?? e.reason}. Since ${fmtTime(m.since)}.`),
        e.conditions.length
          ? h(
              'ul.ck-conditions',
              null,
              e.conditions.map((c) =>
                h('li', null, `${c.passed ? '✓' : '✗'} `, h('code', null, c.path), `: observed ${show(c.observed)}, expected ${show(c.expected)}`),
              ),
            )
          : null,
        h(
          'p.ck-small',
          null,
          e.signals.length
            ? `Based on: ${e.signals.map((s) => `${s.event} ×${s.count}${s.lastSeen === undefined ? '' : ` (last ${fmtTime(s.lastSeen)})`}`).join(', ')}.`
            : 'Based on the context of this visit only: nothing stored.',
          ' ',
          e.purposes.length ? `Relies on: ${e.purposes.join(', ')}.` : 'Needs no consent.',
        ),
      );
      d.addEventListener('toggle', () => (d.open ? open.add(m.id) : open.delete(m.id)));
      return d;
    }),
  );
}
