const UNIT_MS: Record<string, number> = { m: 60000, h: 3600000, d: 86400000 };

/** Parses a duration like `"30m"`, `"12h"`, `"1.5d"` to ms; undefined unless it is a positive finite amount. */
export function parseDuration(value: unknown): number | undefined {
  const m = typeof value === 'string' ? /^(\d+(?:\.\d+)?)([mhd])$/.exec(value) : null;
  const ms = m ? Number(m[1]) * UNIT_MS[m[2]] : 0;
  return ms > 0 && Number.isFinite(ms) ? ms : undefined;
}

/** Exposures still inside the cap window ending at `now`: those at `t` with `now - t < windowMs`. */
export function pruneExposures(times: number[], now: number, windowMs: number): number[] {
  return times.filter((t) => now - t < windowMs);
}

/** How many exposures fall inside the cap window ending at `now`. */
export function countExposures(times: number[], now: number, windowMs: number): number {
  let n = 0;
  for (const t of times) if (now - t < windowMs) n++;
  return n;
}

/** True when the cap `{ max }` per `windowMs` is already reached at `now`. */
export const isCapped = (times: number[], now: number, max: number, windowMs: number): boolean =>
  countExposures(times, now, windowMs) >= max;
