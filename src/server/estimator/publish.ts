import type { CohortEstimate } from './stats';

/** A cohort as GET /v1/estimates publishes it: withheld ones carry nulls. */
export type PublishedCohort = Omit<CohortEstimate, 'estimate' | 'stderr' | 'ci95'> &
  ({ estimate: number; stderr: number; ci95: [number, number] } | { estimate: null; stderr: null; ci95: null });

/**
 * The publication rule of GET /v1/estimates: suppressed cohorts are withheld (nulls), exactly
 * those (`publish: 'unsuppressed'`, the default). With `complementary` (`publish:
 * 'complementary'`), when exactly one would be, the smallest published other one is withheld too
 * (and marked suppressed): without it, a single withheld cell of a mechanism whose estimates sum to
 * n (GRR, subset selection) is n − Σ published; with it, only the sum of the withheld cells remains
 * derivable. A publication rule, not the privacy guarantee (that is ε-LDP, per report).
 */
export function publishCohorts(cohorts: CohortEstimate[], complementary = false): PublishedCohort[] {
  const hidden = new Set(cohorts.filter((c) => c.suppressed));
  if (complementary && hidden.size === 1 && cohorts.length > 1) {
    let min: CohortEstimate | undefined;
    for (const c of cohorts) if (!hidden.has(c) && (min === undefined || c.estimate < min.estimate)) min = c;
    hidden.add(min!);
  }
  return cohorts.map((c) => (hidden.has(c) ? { ...c, suppressed: true, estimate: null, stderr: null, ci95: null } : c));
}
