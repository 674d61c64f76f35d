import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { countExposures, isCapped, parseDuration, pruneExposures } from '../../src/personalization';

describe('parseDuration', () => {
  it.each([
    ['30m', 1_800_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1.5h', 5_400_000],
    ['7d', 604_800_000],
  ])('%s → %i ms', (d, ms) => expect(parseDuration(d)).toBe(ms));
  it.each(['', '0d', '1', 'd', '1w', '-1d', '1 d', ' 1d', '1D', '.5h', '1e3m', 1, null, undefined])('rejects %o', (d) => {
    expect(parseDuration(d)).toBeUndefined();
  });
});

describe('cap windows', () => {
  const H = 3_600_000;
  it('counts exposures with now - t < window (the boundary is out)', () => {
    const now = 10 * H;
    const times = [now - H, now - H + 1, now - 1, now];
    expect(countExposures(times, now, H)).toBe(3);
    expect(pruneExposures(times, now, H)).toEqual([now - H + 1, now - 1, now]);
    expect(isCapped(times, now, 3, H)).toBe(true);
    expect(isCapped(times, now, 4, H)).toBe(false);
    expect(isCapped([], now, 1, H)).toBe(false);
  });

  it('prune and count agree (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1e6 })), fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 1, max: 1e6 }), (times, now, w) => {
        const kept = pruneExposures(times, now, w);
        expect(kept.length).toBe(countExposures(times, now, w));
        for (const t of kept) expect(now - t).toBeLessThan(w);
      }),
    );
  });
});
