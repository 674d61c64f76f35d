// Why reports were refused, counted in memory per (collector day, space): what a QA person or an
// operator needs to see instead of a silent 0. Bounded whatever is sent.

/** Counts per rejection reason, e.g. `{ "epoch: in the future": 12 }`. */
export type RejectionCounts = Record<string, number>;

export interface RejectionLog {
  /** Counts one refused report, received on collector day `day`, for `space` (`'*'`: unknown). */
  add(day: number, space: string, reason: string, n?: number): void;
  /** Counts for one space on one day (a copy; `{}` when none). */
  get(day: number, space: string): RejectionCounts;
  /** Every kept day → space → counts (a copy). */
  all(): Record<string, Record<string, RejectionCounts>>;
}

const MAX_REASONS = 32;

/**
 * The reason as counted: field names an attacker chose (`<field>: unexpected field`) collapse to
 * one reason, numbers derived from the sender's ε are masked, so the set of reasons stays small.
 */
export const reasonOf = (error: string): string => {
  if (/: unexpected field$/.test(error)) return 'report: unexpected field';
  // A message quoting the sender's ε (and what follows from it) is counted without the numbers.
  return (/ε = /.test(error) ? error.replace(/\d+(\.\d+)?(e[+-]?\d+)?/gi, '#') : error).slice(0, 120);
};

/** Keeps the last `days` + 2 collector days; at most 32 reasons per (day, space), then `other`. */
export function createRejectionLog(days: number, spaces: number): RejectionLog {
  const byDay = new Map<number, Map<string, Map<string, number>>>();
  const maxSpaces = spaces + 1;
  return {
    add(day, space, reason, n = 1) {
      let d = byDay.get(day);
      if (!d) {
        byDay.set(day, (d = new Map()));
        for (const k of byDay.keys()) if (k < day - days - 1 || k > day + 1) byDay.delete(k);
      }
      if (!d.has(space) && d.size >= maxSpaces) space = '*';
      let s = d.get(space);
      if (!s) d.set(space, (s = new Map()));
      const key = s.has(reason) || s.size < MAX_REASONS - 1 ? reason : 'other';
      s.set(key, (s.get(key) ?? 0) + n);
    },
    get(day, space) {
      return Object.fromEntries(byDay.get(day)?.get(space) ?? []);
    },
    all() {
      const out: Record<string, Record<string, RejectionCounts>> = {};
      for (const [day, d] of [...byDay].sort((a, b) => a[0] - b[0])) {
        out[day] = Object.fromEntries([...d].map(([sp, m]) => [sp, Object.fromEntries(m)]));
      }
      return out;
    },
  };
}
