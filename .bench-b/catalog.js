import { C as CohortkitError } from './chunks/errors-Cp7kg1GW.js';
export { i as isCohortkitError } from './chunks/errors-Cp7kg1GW.js';
import { v as validateInterop } from './chunks/interop-validate-Cq54J7rw.js';
import { d as compileConsentSpace, a as consentSpace } from './chunks/consent-space-2DJOztdB.js';
import { n as normalizeOptions, c as compileSegments, b as catalogEntries, e as catalogSpaces } from './chunks/entries-RiBf5myd.js';
import { v as validateCohortSpaces, a as validateReportOptions, p as pageBase } from './chunks/validate-BjJW4X_x.js';
import './chunks/validate-aI8U5EBI.js';

/** The lifecycle goals, in lifecycle order; other goals follow alphabetically, then segments without one. */
const GOALS = ['acquisition', 'activation', 'retention', 'reactivation'];
/** Inline text: one line, Markdown and HTML punctuation escaped, block markers at the start neutralized. */
function escapeText(s) {
    return s
        .replace(/\s+/g, ' ')
        .trim()
        .replace(/[\\`*_[\]<>|&~]/g, '\\$&')
        .replace(/^([#>+=-])/, '\\$1')
        .replace(/^(\d+)([.)])/, '$1\\$2');
}
const code = (s) => `\`${s}\``;
const codes = (xs, none = '—') => (xs.length ? xs.map(code).join(', ') : none);
const days = (n) => (n == 1 ? '1 day' : `${n} days`);
const title = (g) => (GOALS.includes(g) ? g[0].toUpperCase() + g.slice(1) : `Goal: ${escapeText(g) || '(empty)'}`);
/** Segments grouped by goal: lifecycle goals first (in order), then other goals A–Z, then none. */
function groupByGoal(items) {
    const goals = [...new Set(items.map((s) => s.goal))];
    const rank = (g) => (g === undefined ? GOALS.length + 1 : GOALS.includes(g) ? GOALS.indexOf(g) : GOALS.length);
    goals.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
    return goals.map((g) => [g, items.filter((s) => s.goal === g)]);
}
function segmentSection(s) {
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
    if (s.context.length)
        lines.push(`- **Context:** ${s.context.join(', ')} (read when evaluated, never stored)`);
    if (s.references.length)
        lines.push(`- **References:** ${codes(s.references)}`);
    lines.push(`- **Sensitivity:** ${s.sensitive ? '**sensitive**: never reported; `decide()` uses it only with `allowSensitive`' : 'not sensitive'}`, `- **Retention:** ${s.contextOnly ? 'nothing stored' : kept}`);
    if (s.minEvidence)
        lines.push(`- **Minimum evidence:** ${s.minEvidence} supporting events`);
    lines.push(`- **Reported by:** ${s.spaces.length ? codes(s.spaces) : 'no cohort space'}`, '');
    return lines;
}
function spaceSection(sp, goals, builtIn) {
    // GFM splits table cells at `|` even inside code spans: the consent space's cohort ids hold them.
    const row = (i, id, seg, goal = '') => `| ${i} | ${code(id.replace(/\|/g, '\\|'))} | ${seg} | ${goal} |`;
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
function renderMarkdown(m) {
    const count = (n, one, many) => `${n} ${n == 1 ? one : many}`;
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
    if (!m.segments.length)
        out.push('No segments declared.', '');
    for (const [goal, items] of groupByGoal(m.segments))
        out.push(`### ${goal === undefined ? 'No goal' : title(goal)}`, '', ...items.flatMap(segmentSection));
    out.push('## Cohort spaces', '');
    if (!m.spaces.length)
        out.push('No cohort spaces declared: nothing is reported.', '');
    const goals = new Map(m.segments.map((s) => [s.id, s.goal]));
    for (const sp of m.spaces)
        out.push(...spaceSection(sp, goals, m.consentSpace === sp.id));
    return out.join('\n').replace(/\n+$/, '\n');
}

// describeCatalog(options): the catalog of a configuration without a client, validated exactly as
// createClient validates it (same validators, same order, same messages).
/**
 * Documents a configuration: every segment and cohort space, and the same as Markdown.
 * Pure (no storage, no DOM, no network); runs in Node and in the browser.
 * @param options the options you would pass to `createClient`
 * @throws CohortkitError `invalid-options` naming the path, exactly where createClient would reject
 */
function describeCatalog(options = {}) {
    const opts = normalizeOptions(options);
    const purposeIds = opts.purposes.map((p) => p.id);
    const catalog = compileSegments(opts.raw.segments ?? [], { purposes: purposeIds, interests: opts.interests.map((i) => i.id) });
    validateInterop(opts.raw.interop, purposeIds);
    const compiled = validateCohortSpaces(opts.raw.cohorts, catalog);
    const report = opts.raw.report === undefined ? undefined : validateReportOptions(opts.raw.report, pageBase());
    // report.consentRates: the built-in consent space is reported too, so it is documented; the
    // same checks as the client's reporting runtime (src/client/reporting.ts).
    if (report?.consentRates) {
        if (compiled.some((s) => s.id === 'consent'))
            throw new CohortkitError('invalid-options', 'cohorts: the space id "consent" is reserved while report.consentRates is on');
        // The client keeps only k and the index (and throws as it would); the catalog names every cohort.
        const space = compileConsentSpace(purposeIds, report.consentRates);
        const { description, cohorts, fallback } = consentSpace(purposeIds);
        compiled.push({ ...space, description, cohorts, fallback });
    }
    const segments = catalogEntries(catalog, compiled, opts);
    const spaces = catalogSpaces(compiled);
    const md = { segments, spaces, purposes: opts.purposes, retentionDays: opts.retentionDays, policyVersion: opts.policyVersion };
    return { segments, spaces, markdown: renderMarkdown(report?.consentRates ? { ...md, consentSpace: 'consent' } : md) };
}

export { CohortkitError, GOALS, describeCatalog, groupByGoal, renderMarkdown };
//# sourceMappingURL=catalog.js.map
