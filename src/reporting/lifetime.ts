// Pure lifetime privacy accountant (report.lifetimeBudget): the ε a client has ever spent per
// space on fresh draws. A memoized repeat reveals nothing new and costs nothing.

/** Stored under meta `privacy:lifetime`: ε spent on fresh draws, per space id. */
export type LifetimeSpent = Record<string, number>;

export interface LifetimeView {
  /** Total ε spent on fresh draws over every space. */
  spent: number;
  /** The same, per space id. */
  bySpace: LifetimeSpent;
  /** `report.lifetimeBudget`; null when uncapped (spending is still accounted). */
  budget: number | null;
  /** Space ids whose next fresh draw would pass the budget (memoized repeats may continue). */
  exhausted: string[];
}

/**
 * Reads a stored accountant. Anything that is not an object yields an empty one; an entry that is
 * not a finite number ≥ 0 (edited by another script) counts as the whole budget (fails closed), or
 * as 0 without a budget.
 */
export function readLifetime(raw: unknown, budget?: number): LifetimeSpent {
  const out: LifetimeSpent = {};
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return out;
  for (const [id, v] of Object.entries(raw as Record<string, unknown>))
    out[id] = typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : (budget ?? 0);
  return out;
}

/** True when one more fresh draw at `epsilon` keeps `space` within `budget` (relative tolerance as planEpoch). */
export function allowsFresh(spent: LifetimeSpent, space: string, epsilon: number, budget: number | undefined): boolean {
  return budget === undefined || (spent[space] ?? 0) + epsilon <= budget * (1 + 1e-9);
}

/** The accountant as `exportData().privacy.lifetime` shows it, for the configured `spaces`. */
export function lifetimeView(spent: LifetimeSpent, spaces: string[], epsilon: number, budget: number | undefined): LifetimeView {
  const bySpace = { ...spent };
  return {
    spent: Object.values(bySpace).reduce((a, b) => a + b, 0),
    bySpace,
    budget: budget ?? null,
    exhausted: spaces.filter((s) => !allowsFresh(spent, s, epsilon, budget)),
  };
}
