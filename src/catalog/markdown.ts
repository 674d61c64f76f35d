// The catalog as Markdown: purposes, segments grouped by goal, cohort spaces. Pure string work.
// Free text (descriptions, goals) is escaped so it can never break the document's structure or
// inject HTML into a renderer; ids and event names match their patterns and go in code spans.
import type { Purpose } from '../options';
import type { CatalogEntry, CatalogSpace } from '../types';

export interface MarkdownInput {
  segments: CatalogEntry[];
  spaces: CatalogSpace[];
  purposes: Purpose[];
  /** The default `retentionDays` of the options. */
  retentionDays: number;
  /** Id of the built-in consent space among `spaces` (report.consentRates), if any. */
  consentSpace?: string;
  policyVersion?: string;
}

/** The lifecycle goals, in lifecycle order; other goals follow alphabetically, then segments without one. */
export const GOALS = ['acquisition', 'activation', 'retention', 'reactivation'];

/** Inline text: one line, Markdown and HTML punctuation escaped, block markers at the start neutralized. */
export function escapeText(s: string): string {
  return s
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\\`*_[\]<>|&~]/g, '\\$&')
    .replace(/^([#>+=-])/, '\\$1')
    .replace(/^(\d+)([.)])/, '$1\\$2');
}

const code = (s: string) => `\`${s}\``;
const codes = (xs: string[], none = '—') => (xs.length ? xs.map(code).join(', ') : none);
const days = (n: number) => (n == 1 ? '1 day' : `${n} days`);
const title = (g: string) => (GOALS.includes(g) ? g[0].toUpperCase() + g.slice(1) : `Goal: ${escapeText(g) || '(empty)'}`);

/** Segments grouped by goal: lifecycle goals first (in order), then other goals A–Z, then none. */
export function groupByGoal<T extends { goal?: string }>(items: T[]): Array<[goal: string | undefined, items: T[]]> {
  const goals = [...new Set(items.map((s) => s.goal))];
  const rank = (g: string | undefined) => (g === undefined ? GOALS.length + 1 : GOALS.includes(g) ? GOALS.indexOf(g) : GOALS.length);
  goals.sort((a, b) => rank(a) - rank(b) || (a! < b! ? -1 : a! > b! ? 1 : 0));
  return goals.map((g) => [g, items.filter((s) => s.goal === g)]);
}

function segmentSection(s: CatalogEntry): string[] {
  const sources = s.reads.length
    ? s.reads.map((r) => `${code(r.event)} (${r.props.length ? `properties kept: ${codes(r.props)}` : 'no properties kept'})`).join('; ')
    : s.contextOnly
      ? 'none: reads no event, stores nothing'
      : 'interests the visitor declared (no event)';
  // Not context-only yet reading no event: it reads declared interests, kept until changed or withdrawn.
  const kept = s.retentionDays ? `signals kept at most ${days(s.retentionDays)}` : 'declared interests, kept until the visitor changes them or withdraws consent';
  const lines = [
    `#### ${code(s.id)} · version ${s.version}`,
    '',
    escapeText(s.description),
    '',
    `- **Purposes:** ${s.purposes.length ? codes(s.purposes) : 'none (no consent needed)'}`,
    `- **Sources:** ${sources}`,
  ];
  if (s.context.length) lines.push(`- **Context:** ${s.context.join(', ')} (read when evaluated, never stored)`);
  if (s.references.length) lines.push(`- **References:** ${codes(s.references)}`);
  lines.push(
    `- **Sensitivity:** ${s.sensitive ? '**sensitive**: never reported; `decide()` uses it only with `allowSensitive`' : 'not sensitive'}`,
    `- **Retention:** ${s.contextOnly ? 'nothing stored' : kept}`,
  );
  if (s.minEvidence) lines.push(`- **Minimum evidence:** ${s.minEvidence} supporting events`);
  lines.push(`- **Reported by:** ${s.spaces.length ? codes(s.spaces) : 'no cohort space'}`, '');
  return lines;
}

function spaceSection(sp: CatalogSpace, goals: Map<string, string | undefined>, builtIn: boolean): string[] {
  // GFM splits table cells at `|` even inside code spans: the consent space's cohort ids hold them.
  const row = (i: number, id: string, seg: string, goal = '') => `| ${i} | ${code(id.replace(/\|/g, '\\|'))} | ${seg} | ${goal} |`;
  return [
    `### ${code(sp.id)} · version ${sp.version}`,
    '',
    escapeText(sp.description),
    '',
    `- **k:** ${sp.k} (${sp.cohorts.length} ${sp.cohorts.length == 1 ? 'cohort' : 'cohorts'} and the fallback)`,
    `- **Reports rely on:** ${sp.purposes.length ? codes(sp.purposes) : 'no purpose: reported under the audience-measurement exemption (`consentRates: \'exempt\'`), never while GPC is on'}`,
    ...(builtIn ? ['- **Built in:** `report.consentRates`; a cohort is a combination of consent states, not a segment'] : []),
    '',
    '| Index | Cohort | Segment | Goal |',
    '|---|---|---|---|',
    ...sp.cohorts.map((c, i) => (builtIn ? row(i, c.id, 'consent state') : row(i, c.id, code(c.segment), escapeText(goals.get(c.segment) ?? '')))),
    row(sp.cohorts.length, sp.fallback, 'fallback: none of the above'),
    '',
  ];
}

/** Renders the whole catalog. Deterministic: the same input gives the same text. */
export function renderMarkdown(m: MarkdownInput): string {
  const count = (n: number, one: string, many: string) => `${n} ${n == 1 ? one : many}`;
  const out = [
    '# Segment catalog',
    '',
    [
      count(m.purposes.length, 'purpose', 'purposes'),
      count(m.segments.length, 'segment', 'segments'),
      count(m.spaces.length, 'cohort space', 'cohort spaces'),
      ...(m.policyVersion ? [`policy version ${escapeText(m.policyVersion)}`] : []),
    ].join(' · '),
    '',
    '## Purposes',
    '',
    '| Purpose | Description | Retention |',
    '|---|---|---|',
    ...m.purposes.map((p) => `| ${code(p.id)} | ${p.description ? escapeText(p.description) : '—'} | ${days(Math.min(m.retentionDays, p.retentionDays ?? m.retentionDays))} |`),
    '',
    '## Segments by goal',
    '',
  ];
  if (!m.segments.length) out.push('No segments declared.', '');
  for (const [goal, items] of groupByGoal(m.segments)) out.push(`### ${goal === undefined ? 'No goal' : title(goal)}`, '', ...items.flatMap(segmentSection));
  out.push('## Cohort spaces', '');
  if (!m.spaces.length) out.push('No cohort spaces declared: nothing is reported.', '');
  const goals = new Map(m.segments.map((s) => [s.id, s.goal]));
  for (const sp of m.spaces) out.push(...spaceSection(sp, goals, m.consentSpace === sp.id));
  return out.join('\n').replace(/\n+$/, '\n');
}
