// Intent to treat: which arm a visitor joined for a slot, and when they may join one.
// The record of the arm is the exposure signal itself (`ck.exposure { slot, arm }`): stored like
// any signal under the purposes of the experiment segments that read it, so it is purged on
// withdrawal of any of them, exported, forgotten, and expires with their retention.
import type { Catalog, CompiledPredicate } from '../segments/types';
import type { Scalar } from '../types';
import { EXPOSURE_EVENT } from './experiment';

export type Arm = 'holdout' | 'treated';

const admits = (p: CompiledPredicate, x: Scalar): boolean =>
  'eq' in p ? p.eq === x : 'in' in p ? p.in.includes(x) : typeof x === 'number' && !(x < (p.gte ?? -Infinity)) && !(x > (p.lte ?? Infinity));

/**
 * The purposes an experiment on `slot` relies on: the union of the effective purposes of every
 * segment that reads the exposure event of that slot (or of any slot). Undefined when no segment
 * reads it: the slot is not an experiment, so no arm is recorded.
 */
export function experimentPurposes(catalog: Catalog, slot: string): string[] | undefined {
  let found: Set<string> | undefined;
  for (const s of catalog.segments)
    for (const e of s.events) {
      if (e.event !== EXPOSURE_EVENT) continue;
      const where = e.where.find(([k]) => k === 'slot');
      if (where && !admits(where[1], slot)) continue;
      found ??= new Set();
      s.effectivePurposes.forEach((p) => found!.add(p));
    }
  return found && [...found];
}

interface ExposureSignal {
  event: string;
  props: Record<string, Scalar>;
  first: number;
  expiresAt: number;
}

/**
 * The arm a visitor joined for `slot`: the one of their earliest live exposure signal of that slot
 * (intent to treat: later decisions never change it). Undefined when none is stored or all expired.
 */
export function keptArm(signals: Iterable<ExposureSignal>, slot: string, now: number): Arm | undefined {
  let best: ExposureSignal | undefined;
  for (const s of signals)
    if (s.event === EXPOSURE_EVENT && s.props.slot === slot && (s.props.arm === 'holdout' || s.props.arm === 'treated') && s.expiresAt > now)
      if (!best || s.first < best.first) best = s;
  return best?.props.arm as Arm | undefined;
}

/**
 * The arm to record for this decision, if any: the kept arm when there is one (whatever the
 * decision's reason), else — on a first eligible decision of a request with a holdout — the arm
 * the decision put the visitor in. `'capped'`, `'no-match'` and `'no-consent'` never open an arm.
 */
export function armToRecord(kept: Arm | undefined, reason: string, holdout: number | undefined): Arm | undefined {
  if (kept) return kept;
  if (!holdout) return undefined;
  return reason === 'holdout' ? 'holdout' : reason === 'segment' ? 'treated' : undefined;
}
