// One duration parser for the whole SDK (segments' `within`, decide's `cap.per`).
export { parseDuration } from '../segments/duration';

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
