export type EpochKind = 'day' | 'week';

const DAY = 86_400_000;

/**
 * The epoch containing `now` (ms since 1970-01-01 UTC), as the day number (days since
 * 1970-01-01 UTC) of its first day: the UTC day, or the Monday of the ISO week (UTC).
 */
export function epochOf(now: number, kind: EpochKind): number {
  const day = Math.floor(now / DAY);
  // 1970-01-01 was a Thursday: (day + 3) mod 7 is 0 on Mondays.
  return kind === 'week' ? day - (((day + 3) % 7) + 7) % 7 : day;
}

/** ms since epoch at which `epoch` (a day number from {@link epochOf}) ends (exclusive). */
export function epochEnd(epoch: number, kind: EpochKind): number {
  return (epoch + (kind === 'week' ? 7 : 1)) * DAY;
}
