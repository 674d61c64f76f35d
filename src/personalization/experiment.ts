// Lift without tracking: an experiment is a cohort space of arm × outcome. Each visitor
// reports (with LDP, like any space) one of holdout/treated × converted/not; the collector's
// estimates then give conversion per arm and the lift, with no visitor-level data anywhere.
import type { CohortSpace, Rule, SegmentDefinition } from '../types';

/** The event `decide()` records (only when an experiment reads it) for the arm a visitor saw. */
export const EXPOSURE_EVENT = 'ck.exposure';

export interface ExperimentOptions {
  /** Experiment id; the space is named `experiment-<id>`. */
  id: string;
  /** The decide() slot whose holdout defines the arms. */
  slot: string;
  /** What counts as a conversion, as a segment rule (e.g. `{ event: 'purchase' }`). */
  conversion: Rule;
  description?: string;
  /** Purposes the arm and outcome segments rely on; default ['personalization']. */
  purposes?: string[];
}

/**
 * Segments and the cohort space of an experiment. Add `segments` to `options.segments` and
 * `space` to `options.cohorts`; `decide({ slot, holdout, … })` then records the arm each
 * visitor saw (`holdout` or `treated`, locally), and the space reports arm × outcome.
 * Cohort order: holdout-converted, holdout-not, treated-converted, treated-not; fallback
 * `unexposed` (never shown the slot).
 */
export function defineExperiment(o: ExperimentOptions): { segments: SegmentDefinition[]; space: CohortSpace } {
  const p = `exp-${o.id}`;
  const purposes = o.purposes ?? ['personalization'];
  const seg = (id: string, description: string, rule: Rule): SegmentDefinition => ({ id: `${p}-${id}`, description, purposes, rule });
  const arm = (a: 'holdout' | 'treated') => ({ event: EXPOSURE_EVENT, where: { slot: o.slot, arm: a } });
  const segments = [
    seg('holdout', `${o.slot}: kept on the fallback`, arm('holdout')),
    seg('treated', `${o.slot}: shown a variant`, arm('treated')),
    seg('converted', o.description ?? `converted (${o.id})`, o.conversion),
  ];
  const cell = (a: string, conv: boolean) =>
    seg(`${a}-${conv ? 'c' : 'n'}`, `${a}, ${conv ? '' : 'not '}converted`, {
      all: [{ segment: `${p}-${a}` }, conv ? { segment: `${p}-converted` } : { not: { segment: `${p}-converted` } }],
    });
  segments.push(cell('holdout', true), cell('holdout', false), cell('treated', true), cell('treated', false));
  return {
    segments,
    space: {
      id: `experiment-${o.id}`,
      description: `Experiment ${o.id}: arm × outcome for slot ${o.slot}`,
      cohorts: [
        { id: 'holdout-converted', segment: `${p}-holdout-c` },
        { id: 'holdout-not', segment: `${p}-holdout-n` },
        { id: 'treated-converted', segment: `${p}-treated-c` },
        { id: 'treated-not', segment: `${p}-treated-n` },
      ],
      fallback: 'unexposed',
    },
  };
}

interface CohortCount {
  id: string;
  estimate: number;
  stderr: number;
}

export interface Lift {
  holdout: { rate: number; stderr: number; n: number };
  treated: { rate: number; stderr: number; n: number };
  /** treated rate − holdout rate (absolute percentage points as a fraction). */
  lift: number;
  stderr: number;
  ci95: [number, number];
}

/** Rate a/(a+b) and its delta-method stderr from two estimated counts (independence assumed). */
function rate(a: CohortCount, b: CohortCount) {
  const x = Math.max(0, a.estimate);
  const y = Math.max(0, b.estimate);
  const t = x + y;
  if (t <= 0) return { rate: 0, stderr: 0, n: 0 };
  const v = (y * y * a.stderr ** 2 + x * x * b.stderr ** 2) / t ** 4;
  return { rate: x / t, stderr: Math.sqrt(v), n: t };
}

/**
 * Conversion per arm and lift with a 95% interval, from `estimator.estimate('experiment-<id>')`.
 * Rates come from the unbiased cohort estimates (negative ones clamped to 0); stderrs by the
 * delta method from the cohort stderrs, treating cohorts as independent (an approximation:
 * LDP estimates of different cohorts are slightly negatively correlated).
 */
export function readLift(estimate: { cohorts: CohortCount[] }): Lift {
  const c = (id: string) => estimate.cohorts.find((x) => x.id === id) ?? { id, estimate: 0, stderr: 0 };
  const holdout = rate(c('holdout-converted'), c('holdout-not'));
  const treated = rate(c('treated-converted'), c('treated-not'));
  const lift = treated.rate - holdout.rate;
  const stderr = Math.sqrt(treated.stderr ** 2 + holdout.stderr ** 2);
  return { holdout, treated, lift, stderr, ci95: [lift - 1.96 * stderr, lift + 1.96 * stderr] };
}
