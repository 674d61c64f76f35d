export type EpochKind = 'day' | 'week';

const DAY = 86_400_000;

/**
 * The epoch containing `now` (ms since 1970-01-01 UTC), as the day number (days since
 * 1970-01-01 UTC) of its first day: the UTC day, or the Monday of the ISO week (UTC). The week
 * of 1970-01-01 (a Thursday) starts at day 0, not at Monday 1969-12-29 (day −3): an epoch of
 * a clock from 1970 on is never negative (a report's `epoch` is a day number ≥ 0).
 */
export function epochOf(now: number, kind: EpochKind): number {
  const day = Math.floor(now / DAY);
  // 1970-01-01 was a Thursday: (day + 3) mod 7 is 0 on Mondays.
  const monday = day - ((((day + 3) % 7) + 7) % 7);
  return kind === 'day' ? day : day >= 0 && monday < 0 ? 0 : monday;
}

/**
 * ms since epoch at which `epoch` (a day number from {@link epochOf}) ends (exclusive): the next
 * day, or the next Monday (a week epoch is a Monday but for day 0, whose week ends on day 4).
 */
export function epochEnd(epoch: number, kind: EpochKind): number {
  return (kind === 'day' ? epoch + 1 : epoch ? epoch + 7 : 4) * DAY;
}
