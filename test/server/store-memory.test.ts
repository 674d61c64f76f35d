// @vitest-environment node
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEstimator, createMemoryStore, estimateFromRows } from '../../src/server/index';
import { makeReports, SPACE, SPACES, storeSuite } from './collector-helpers';

describe('memory store', () => {
  storeSuite(async () => createMemoryStore());

  it('forgets the oldest id past maxIds (a replay older than that counts again)', async () => {
    const s = createMemoryStore({ maxIds: 2 });
    const [a, b, c] = makeReports(3, 5);
    await s.addBatch([a, b, c]);
    expect((await s.addBatch([b, c])).duplicateIds).toEqual([b.id, c.id]);
    expect((await s.addBatch([a])).duplicateIds).toEqual([]);
  });

  it('any split of any reports into batches, with replays, gives the estimator’s estimates (property)', async () => {
    const pool = makeReports(40, 99);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(fc.nat(39), { maxLength: 15 }), { maxLength: 8 }), async (batches) => {
        const s = createMemoryStore();
        const est = createEstimator({ spaces: SPACES });
        for (const b of batches) {
          const uniq = [...new Set(b)].map((i) => pool[i]);
          const res = await s.addBatch(uniq);
          for (const r of uniq) expect(res.duplicateIds.includes(r.id)).toBe(!est.add(r).ok);
        }
        expect(estimateFromRows(await s.rows('lifecycle'), SPACE)).toEqual(est.estimate('lifecycle'));
      }),
      { numRuns: 50 },
    );
  });
});
