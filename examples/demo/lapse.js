// When would a membership lapse if nothing else happened? Computed from the rule's windows and the
// stored signals (exportData().signals). `undefined` = "while its conditions hold" (context, not, …).

const UNIT = { m: 60_000, h: 3_600_000, d: 86_400_000 };
/** "7d" → ms. */
export const ms = (d) => {
  const m = /^(\d+(?:\.\d+)?)([mhd])$/.exec(d ?? '');
  return m ? Number(m[1]) * UNIT[m[2]] : undefined;
};

const matches = (props, where = {}) =>
  Object.entries(where).every(([k, p]) => {
    const v = props[k];
    if (p !== null && typeof p === 'object')
      return 'in' in p ? p.in.includes(v) : typeof v === 'number' && !(v < (p.gte ?? -Infinity)) && !(v > (p.lte ?? Infinity));
    return v === p;
  });

/**
 * Time (ms) at which `rule` stops holding if no new event arrives, for a rule that holds now.
 * @param {object} rule a segment rule
 * @param {{ event: string, props: object, times: number[], last: number, expiresAt: number }[]} signals
 * @param {(id: string) => object | undefined} ruleOf the rule of a referenced segment
 * @returns {number | undefined}
 */
export function lapseAt(rule, signals, ruleOf) {
  if (rule.all) {
    const ts = rule.all.map((r) => lapseAt(r, signals, ruleOf)).filter((t) => t !== undefined);
    return ts.length ? Math.min(...ts) : undefined;
  }
  if (rule.any) {
    const ts = rule.any.map((r) => lapseAt(r, signals, ruleOf));
    return ts.some((t) => t === undefined) ? undefined : Math.max(...ts);
  }
  if (rule.segment) {
    const r = ruleOf(rule.segment);
    return r && lapseAt(r, signals, ruleOf);
  }
  if (!rule.event || rule.firstSeen || rule.count?.lte !== undefined) return undefined;
  const mine = signals.filter((s) => s.event === rule.event && matches(s.props, rule.where));
  if (!mine.length) return undefined;
  // Retention: the signal itself goes at expiresAt, whatever the rule says.
  const expiry = Math.max(...mine.map((s) => s.expiresAt));
  const times = mine.flatMap((s) => (s.times?.length ? s.times : [s.last])).sort((a, b) => b - a);
  const need = rule.count?.gte ?? 1;
  let t = expiry;
  const w = ms(rule.within);
  if (w !== undefined && times.length >= need) t = Math.min(t, times[need - 1] + w);
  const recent = ms(rule.lastSeen?.within);
  if (recent !== undefined) t = Math.min(t, times[0] + recent);
  return t;
}
