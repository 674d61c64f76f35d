// The dashboard's inline SVG chart of one cohort space: bars, 95% whiskers, ◆ truth. No library.
const SVG = 'http://www.w3.org/2000/svg';
const finite = (x) => typeof x === 'number' && Number.isFinite(x);
/** A number as the dashboard prints it: "1,234" from 100 up, "12.3" below; "—" for anything not a finite number. */
export const num = (x) => (!finite(x) ? '—' : Math.abs(x) >= 100 ? Math.round(x).toLocaleString() : x.toFixed(1));
const DAY = 86_400_000;
/** An epoch (days since 1970-01-01 UTC) as YYYY-MM-DD; "—" for anything no date can show. */
export const fmtDay = (e) => (finite(e) && Math.abs(e * DAY) <= 8.64e15 ? new Date(e * DAY).toISOString().slice(0, 10) : '—');
export const WITHHELD = 'withheld (fewer than minCount)';

function s(tag, attrs, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v != null) el.setAttribute(k, v);
  if (text != null) el.textContent = text;
  return el;
}
export /** Horizontal bars (estimate), whiskers (ci95), ◆ truth; suppressed cohorts hatched. */
function chart(cohorts, truth) {
  const W = 560, L = 130, R = 70, row = 30, top = 8;
  const H = top + row * cohorts.length + 22;
  // The axis spans the finite values only (an open interval end is drawn to the edge), and is
  // computed on halves: hi − lo of values near ±1.7e308 overflows to Infinity (NaN coordinates).
  const vals = cohorts
    .filter((c) => c.estimate != null)
    .flatMap((c) => [c.ci95?.[0], c.ci95?.[1], c.estimate])
    .concat(truth ? truth.map((t) => t?.count) : [])
    .filter(finite);
  const lo = vals.reduce((a, b) => Math.min(a, b), 0), hi = vals.reduce((a, b) => Math.max(a, b), 1);
  const x = (v) => {
    const at = Number.isNaN(v) ? 0 : Math.min(hi, Math.max(lo, v));
    return L + ((at / 2 - lo / 2) / (hi / 2 - lo / 2)) * (W - L - R);
  };
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
    const ci = [c.ci95?.[0] ?? c.estimate, c.ci95?.[1] ?? c.estimate];
    const g = s('g', { class: c.suppressed ? 'bar suppressed' : 'bar', 'data-cohort': c.id });
    g.append(
      s('text', { x: L - 8, y: mid + 4, 'text-anchor': 'end', class: 'label' }, c.id),
      s('rect', { x: x0, y: y + 5, width: Math.max(1, x1 - x0), height: row - 14, rx: 3 }),
      s('line', { x1: x(ci[0]), x2: x(ci[1]), y1: mid, y2: mid, class: 'whisker' }),
      s('line', { x1: x(ci[0]), x2: x(ci[0]), y1: mid - 5, y2: mid + 5, class: 'whisker' }),
      s('line', { x1: x(ci[1]), x2: x(ci[1]), y1: mid - 5, y2: mid + 5, class: 'whisker' }),
      s('text', { x: W - R + 6, y: mid + 4, class: 'value' }, num(c.estimate)),
      s('title', {}, `${c.id}: ${num(c.estimate)} (95% CI ${num(ci[0])} – ${num(ci[1])})${c.suppressed ? ', suppressed' : ''}`),
    );
    const t = truth?.[i]?.count;
    if (finite(t)) g.append(s('path', { d: `M${x(t)} ${mid - 7}l6 7-6 7-6-7z`, class: 'truth' }));
    svg.append(g);
  });
  return svg;
}

