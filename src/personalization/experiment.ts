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
 * `space` to `options.cohorts`; `decide({ slot, holdout, … })` then records, locally, the arm of
 * each eligible visitor (a consented member of a variant's segment, cap not reached, the
 * experiment's purposes granted): `holdout` or `treated`, kept from their first eligible decision
 * (intent to treat). The space reports arm × outcome. Cohort order: holdout-converted,
 * holdout-not, treated-converted, treated-not; fallback `unexposed` (in no arm).
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

export { readLift, type Lift, type ArmRate, type LiftInput, type LiftOptions } from './lift';
export { planExperiment, type PlanOptions, type ExperimentPlan } from './plan';
