// The dashboard's inline SVG chart of one cohort space: bars, 95% whiskers, ◆ truth. No library.
const SVG = 'http://www.w3.org/2000/svg';
export const num = (x) => (Math.abs(x) >= 100 ? Math.round(x).toLocaleString() : x.toFixed(1));
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

