import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assignCohort, epochEnd, epochOf } from '../../src/reporting';

const DAY = 86_400_000;
const space = { cohorts: [{ id: 'a', segment: 'sa' }, { id: 'b', segment: 'sb' }, { id: 'c', segment: 'sc' }] };

describe('assignCohort', () => {
  it('takes the first member cohort in declaration order', () => {
    expect(assignCohort(space, (s) => s === 'sb' || s === 'sc')).toBe(1);
    expect(assignCohort(space, () => true)).toBe(0);
    expect(assignCohort(space, (s) => s === 'sc')).toBe(2);
  });
  it('falls back to cohorts.length', () => {
    expect(assignCohort(space, () => false)).toBe(3);
  });
});

describe('epochs', () => {
  it('day epochs follow the UTC day boundary', () => {
    const midnight = Date.UTC(2026, 0, 5);
    expect(epochOf(midnight, 'day')).toBe(20458);
    expect(epochOf(midnight - 1, 'day')).toBe(20457);
    expect(epochOf(midnight + DAY - 1, 'day')).toBe(20458);
    expect(epochEnd(20458, 'day')).toBe(midnight + DAY);
  });
  it('week epochs start on Monday UTC (ISO weeks)', () => {
    const monday = Date.UTC(2026, 0, 5);
    expect(new Date(monday).getUTCDay()).toBe(1);
    expect(epochOf(monday, 'week')).toBe(20458);
    expect(epochOf(Date.UTC(2026, 0, 11, 23, 59), 'week')).toBe(20458); // Sunday, same week
    expect(epochOf(monday - 1, 'week')).toBe(20451); // Sunday 2026-01-04 → week of Monday 2025-12-29
    expect(epochOf(Date.UTC(2025, 11, 29), 'week')).toBe(20451);
    expect(epochEnd(20451, 'week')).toBe(monday);
  });
  it('the week of 1970-01-01 (a Thursday) starts at day 0, not at Monday 1969-12-29 (day −3), and ends on Monday 1970-01-05', () => {
    // A report's epoch is a day number ≥ 0: day −3 made every report of a clock before 1970-01-05 fail.
    for (const now of [0, Date.UTC(1970, 0, 2, 12), Date.UTC(1970, 0, 5) - 1]) expect(epochOf(now, 'week')).toBe(0);
    expect(epochEnd(0, 'week')).toBe(Date.UTC(1970, 0, 5));
    expect(epochOf(Date.UTC(1970, 0, 5), 'week')).toBe(4); // the first Monday: weeks as usual from there
    expect(epochEnd(4, 'week')).toBe(Date.UTC(1970, 0, 12));
    expect(epochOf(-1, 'week')).toBe(-3); // a clock before 1970: Monday 1969-12-29, as before (reports refuse a negative epoch)
  });
  it('property: an epoch starts on its first day (a Monday for weeks) and contains now', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e13, max: 1e13 }), fc.constantFrom('day' as const, 'week' as const), (now, kind) => {
        const e = epochOf(now, kind);
        expect(Number.isInteger(e)).toBe(true);
        expect(e * DAY).toBeLessThanOrEqual(now);
        expect(epochEnd(e, kind)).toBeGreaterThan(now);
        // The one week that does not start on a Monday: that of 1970-01-01, from day 0 to day 4.
        if (kind === 'week' && e !== 0) expect(new Date(e * DAY).getUTCDay()).toBe(1);
        expect(epochOf(epochEnd(e, kind), kind)).toBe(e + (kind === 'day' ? 1 : e ? 7 : 4));
      }),
    );
  });
});
