import type { CompiledSpace } from './validate';

/** What the accountant decided for one epoch. */
export interface EpochPlan {
  /** Space ids to report now (not yet reported this epoch and within budget), in declaration order. */
  report: string[];
  /** Space ids not reported this epoch because the budget would be exceeded. */
  skipped: string[];
  /** Total ε spent this epoch, including `report`. */
  spent: number;
  budget: number;
}

/**
 * Pure per-epoch privacy accountant. Walks `spaces` in declaration order: a space already
 * reported this epoch (`alreadySpent.spaces`) costs nothing again and is not listed; a space whose
 * ε fits the remaining budget is reported; one that does not fit is skipped. Spending only grows
 * within an epoch, so a skipped space stays skipped until the next epoch. `budget` defaults to
 * ε × `total`, the number of spaces configured (every one, not only those that may report now:
 * the default is the same at every pass of an epoch, so a space that may report later in the
 * epoch, e.g. after a consent, still fits). Accounting is per report, as if draws were fresh (an
 * upper bound: memoization makes the real loss smaller).
 * @param alreadySpent what was recorded earlier this epoch (`{ spent: 0, spaces: [] }` at its start);
 *   a budget stored with it is not read: the budget always comes from `opts` and `total`
 * @param total the number of configured spaces (default `spaces.length`)
 */
export function planEpoch(
  spaces: Array<Pick<CompiledSpace, 'id'>>,
  opts: { epsilon: number; budget?: number },
  alreadySpent: { spent: number; spaces: string[] },
  total = spaces.length,
): EpochPlan {
  const budget = opts.budget ?? opts.epsilon * total;
  let spent = alreadySpent.spent;
  const report: string[] = [];
  const skipped: string[] = [];
  for (const { id } of spaces) {
    if (alreadySpent.spaces.includes(id)) continue;
    // Relative tolerance so that e.g. 0.1 + 0.1 + 0.1 fits a budget of 3 × 0.1.
    if (spent + opts.epsilon <= budget * (1 + 1e-9)) {
      spent += opts.epsilon;
      report.push(id);
    } else skipped.push(id);
  }
  return { report, skipped, spent, budget };
}
