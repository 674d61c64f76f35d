// Consent rates: granted / denied / unset shares per purpose, from the `consent` space's estimate.
import { fail } from '../validate';
import { CONSENT_STATES, checkConsentPurposes, consentSpace } from './consent-space';
import { readCounts, shareOf } from './rate';

/** One share: `rate` with its 95% interval (and stderr). */
export interface ConsentShare {
  rate: number;
  ci95: [number, number];
  stderr: number;
}
export type ConsentRates = Record<string, { granted: ConsentShare; denied: ConsentShare; unset: ConsentShare }>;

/**
 * Per purpose, the share of reporters whose state is granted, denied or unset, each with a 95%
 * interval: the sum of the cohorts holding that state over the sum of all cohorts, its variance
 * by the delta method over the cohort covariance (LDP noise and the sampling of reporters).
 * With no estimated reporters every rate is NaN and ci95 [0, 1].
 * @param estimate `estimator.estimate('consent')` or a GET /v1/estimates body with nothing withheld
 * @param purposes the purposes of `consentSpace(purposes)`, in the same order
 * @throws CohortkitError `invalid-argument` naming the path
 */
export function readConsentRates(estimate: unknown, purposes: string[]): ConsentRates {
  const ids = checkConsentPurposes(purposes, 'purposes', 'invalid-argument');
  const space = consentSpace(ids);
  const names = [...space.cohorts.map((x) => x.id), space.fallback];
  const c = readCounts(estimate);
  if (c.ids.length !== names.length) fail('estimate.cohorts', `expected ${names.length} cohorts (3^${ids.length}), got ${c.ids.length}`, 'invalid-argument');
  // The cohort ids say which purposes, in which order: another list (or order) would read one purpose's shares as another's.
  const at = c.ids.findIndex((id, i) => id !== names[i]);
  if (at >= 0) fail(`estimate.cohorts[${at}].id`, `expected "${names[at]}" (the consent space of ${ids.join(', ')}, in that order), got ${JSON.stringify(c.ids[at])}`, 'invalid-argument');
  if (c.withheld.length)
    fail(`estimate.cohorts[${c.withheld[0]}].estimate`, 'withheld by the collector: read the estimator, or publish: "all"', 'invalid-argument');
  const all = c.ids.map((_, i) => i);
  const out: ConsentRates = {};
  ids.forEach((p, j) => {
    const entry = {} as ConsentRates[string];
    CONSENT_STATES.forEach((state, s) => {
      const { rate, stderr, ci95 } = shareOf(c, all.filter((i) => Math.floor(i / 3 ** j) % 3 === s), all, true);
      entry[state] = { rate, stderr, ci95 };
    });
    out[p] = entry;
  });
  return out;
}
