import { describe, expect, it } from 'vitest';
import { planEpoch } from '../../src/reporting';

const spaces = ['a', 'b', 'c'].map((id) => ({ id }));
const fresh = { spent: 0, spaces: [] as string[] };

describe('planEpoch', () => {
  it('defaults the budget to ε × number of spaces: everything is reported', () => {
    expect(planEpoch(spaces, { epsilon: 0.1 }, fresh)).toEqual({ report: ['a', 'b', 'c'], skipped: [], spent: 0.30000000000000004, budget: 0.30000000000000004 });
    expect(planEpoch(spaces, { epsilon: 1 }, fresh)).toMatchObject({ report: ['a', 'b', 'c'], skipped: [], spent: 3, budget: 3 });
  });
  it('skips spaces past a smaller budget, in declaration order', () => {
    expect(planEpoch(spaces, { epsilon: 1, budget: 2.5 }, fresh)).toEqual({ report: ['a', 'b'], skipped: ['c'], spent: 2, budget: 2.5 });
    expect(planEpoch(spaces, { epsilon: 1, budget: 0.5 }, fresh)).toEqual({ report: [], skipped: ['a', 'b', 'c'], spent: 0, budget: 0.5 });
  });
  it('is idempotent within an epoch: reported spaces cost nothing again, skipped stay skipped', () => {
    const first = planEpoch(spaces, { epsilon: 1, budget: 2 }, fresh);
    const again = planEpoch(spaces, { epsilon: 1, budget: 2 }, { spent: first.spent, spaces: first.report });
    expect(again).toEqual({ report: [], skipped: ['c'], spent: 2, budget: 2 });
  });
  it('a space added mid-epoch gets what is left of the budget', () => {
    const first = planEpoch(spaces.slice(0, 1), { epsilon: 1, budget: 2 }, fresh);
    expect(first.report).toEqual(['a']);
    expect(planEpoch(spaces, { epsilon: 1, budget: 2 }, { spent: 1, spaces: ['a'] })).toEqual({ report: ['b'], skipped: ['c'], spent: 2, budget: 2 });
  });
  it('the default budget is ε × the configured spaces (total), not × those that may report now', () => {
    // b reported earlier in the epoch; a may report only now (e.g. after a consent): it still fits.
    expect(planEpoch([{ id: 'a' }], { epsilon: 1 }, { spent: 1, spaces: ['b'] }, 2)).toEqual({ report: ['a'], skipped: [], spent: 2, budget: 2 });
    // Without total the old reading (× spaces passed) is what a caller asks for.
    expect(planEpoch([{ id: 'a' }], { epsilon: 1 }, { spent: 1, spaces: ['b'] })).toMatchObject({ report: [], skipped: ['a'], budget: 1 });
    // An explicit budget wins over total.
    expect(planEpoch([{ id: 'a' }], { epsilon: 1, budget: 1 }, { spent: 1, spaces: ['b'] }, 2)).toMatchObject({ report: [], skipped: ['a'], budget: 1 });
  });
});
