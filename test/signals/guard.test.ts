import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createIngestGuard, rateWindowStart, GUARD_MAX_EVENTS } from '../../src/signals';

describe('ingest guard: duplicates', () => {
  it('flags the same event and props within 1000 ms inclusive of the last stored one', () => {
    const g = createIngestGuard();
    expect(g.check('view', '{}', 0, 0)).toBe('ok');
    g.record('view', '{}', 0);
    expect(g.check('view', '{}', 1, 0)).toBe('duplicate');
    expect(g.check('view', '{}', 1000, 0)).toBe('duplicate');
    expect(g.check('view', '{}', 1001, 0)).toBe('ok');
    expect(g.check('view', '{"a":1}', 500, 0)).toBe('ok');
    expect(g.check('click', '{}', 500, 0)).toBe('ok');
  });

  it('measures from the last stored event of that name only', () => {
    const g = createIngestGuard();
    g.record('view', '{"p":1}', 0);
    g.record('view', '{"p":2}', 500);
    // the last stored 'view' has other props: not a duplicate, even though p=1 was stored 600 ms ago
    expect(g.check('view', '{"p":1}', 600, 0)).toBe('ok');
    expect(g.check('view', '{"p":2}', 1500, 0)).toBe('duplicate');
    expect(g.check('view', '{"p":2}', 1501, 0)).toBe('ok');
  });

  it('unrecorded (refused) events do not move the window', () => {
    const g = createIngestGuard();
    g.record('view', '{}', 0);
    expect(g.check('view', '{}', 900, 0)).toBe('duplicate');
    expect(g.check('view', '{}', 1800, 0)).toBe('ok');
  });
});

describe('ingest guard: rate limit', () => {
  it('stores 60 within a minute and refuses the 61st', () => {
    const g = createIngestGuard();
    for (let i = 0; i < 60; i++) {
      expect(g.check('click', `{"i":${i}}`, i * 10, 0)).toBe('ok');
      g.record('click', `{"i":${i}}`, i * 10);
    }
    expect(g.check('click', '{"i":60}', 600, 0)).toBe('rate-limited');
    expect(g.check('other', '{}', 600, 0)).toBe('ok');
    // the first event (t=0) leaves the window at t=60000
    expect(g.check('click', '{"i":60}', 59999, 0)).toBe('rate-limited');
    expect(g.check('click', '{"i":60}', 60000, 0)).toBe('ok');
  });

  it('uses the stored count from persistence', () => {
    const g = createIngestGuard();
    expect(g.check('click', '{}', 0, 59)).toBe('ok');
    expect(g.check('click', '{}', 0, 60)).toBe('rate-limited');
    expect(rateWindowStart(60000)).toBe(1);
  });

  it('never allows more than 60 in any 60 s window (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 300 }), (gaps) => {
        const g = createIngestGuard();
        const stored: number[] = [];
        let at = 0;
        gaps.forEach((gap, i) => {
          at += gap;
          if (g.check('e', String(i), at, 0) === 'ok') {
            g.record('e', String(i), at);
            stored.push(at);
          }
        });
        for (const t of stored) expect(stored.filter((s) => s >= t && s - t < 60000).length).toBeLessThanOrEqual(60);
      }),
    );
  });

  it('stays bounded: forgets the least recently stored names', () => {
    const g = createIngestGuard();
    g.record('first', '{}', 0);
    for (let i = 0; i < GUARD_MAX_EVENTS; i++) g.record(`e${i}`, '{}', 0);
    expect(g.check('first', '{}', 1, 0)).toBe('ok'); // evicted
    expect(g.check(`e${GUARD_MAX_EVENTS - 1}`, '{}', 1, 0)).toBe('duplicate');
  });
});
