// Report encoding with permanent (memoized) randomized response.
import { CohortkitError } from '../errors';
import { chooseMechanism, createMechanism, defaultRandom, fromBase64url, randomId, type Mechanism, type RandomSource } from '../privacy';
import type { LDPReport, MechanismName, ReportValue } from '../types';
import type { CompiledSpace } from './validate';

/**
 * A memoized perturbation: the randomized part of a report (`{value}`, `{bits}` or
 * `{seed, g, value}`) drawn once for `key` (see {@link memoKey}) and reused for every later
 * report with the same key. Store it per key, delete it only with everything else (`forget()`).
 */
export interface ReportMemo {
  key: string;
  value: ReportValue;
}
/** Historical name: the memo covers every mechanism, not only GRR. */
export type GrrMemo = ReportMemo;

export interface BuildReportArgs {
  space: CompiledSpace;
  /** Day number of the epoch's first day (see epochOf). */
  epoch: number;
  /** True cohort index in [0, k) (see assignCohort). */
  index: number;
  epsilon: number;
  mechanism?: 'auto' | MechanismName;
  /** Randomness for the id and the perturbation; default crypto.getRandomValues. */
  random?: RandomSource;
  /** The stored memo for `memoKey(space, index, epsilon, mechanism)`, if any. Ignored when its key differs. */
  memo?: ReportMemo;
}

/**
 * The memo key of a true cohort: `space|version|k|index|ε|mechanism` ('auto' resolved with
 * chooseMechanism, exactly as buildReport does).
 */
export function memoKey(space: CompiledSpace, index: number, epsilon: number, mechanism: 'auto' | MechanismName = 'auto'): string {
  const name = mechanism === 'auto' ? chooseMechanism(space.k, epsilon) : mechanism;
  return `${space.id}|${space.version}|${space.k}|${index}|${epsilon}|${name}`;
}

const isInt = (x: unknown, max: number): boolean => Number.isInteger(x) && (x as number) >= 0 && (x as number) < max;

/** True when a memoized value is well-formed for mechanism `m` (a corrupted memo is redrawn). */
function fits(m: Mechanism, v: ReportValue | undefined): boolean {
  const r = (v ?? {}) as Record<string, unknown>;
  if (m.name === 'grr') return isInt(r.value, m.k);
  if (m.name === 'olh') return r.g === m.g && isInt(r.seed, 4294967296) && isInt(r.value, m.g as number);
  const s = m.name === 'ss' ? r.items : r.bits;
  const b = typeof s === 'string' ? fromBase64url(s) : undefined;
  if (!b || b.length !== Math.ceil(m.k / 8) || b[b.length - 1] >> (m.k & 7 || 8)) return false;
  let set = 0;
  for (const x of b) for (let y = x; y; y &= y - 1) set++;
  return m.name !== 'ss' || set === m.d;
}

/**
 * Builds one wire report (`v, id, space, spaceVersion, epoch, k, mechanism, epsilon` followed by
 * `value` | `bits` | `items` | `seed, g, value`; nothing else) with a fresh 128-bit id.
 *
 * ## Privacy: what is memoized, and the lifetime guarantee
 * Fresh randomization every epoch would let the collector average a visitor's reports and recover
 * the true cohort (n reports at ε each cost n·ε). Like RAPPOR's permanent randomized response,
 * the randomized part is therefore drawn once per **memo key = (space, spaceVersion, k, true
 * cohort index, ε, mechanism)** and reused verbatim; only the id is fresh per report.
 * - **GRR**: the perturbed `value` is memoized.
 * - **OUE**: the whole perturbed bit vector `bits` is memoized.
 * - **SS**: the whole reported subset `items` is memoized.
 * - **OLH**: the hash `seed`, `g` and the perturbed `value` are memoized together (a fresh seed
 *   with the same value would be a fresh, averageable draw).
 *
 * Guarantee (all three mechanisms): while the true cohort stays the same, every report of the
 * space repeats one ε-LDP output, so the lifetime loss for that cohort is ε however many epochs
 * pass. A visitor who moves between cohorts gets one memo per cohort visited (moving back reuses
 * the old memo), so the lifetime loss for a space is at most ε × (distinct cohorts visited) ≤ ε·k.
 * Limits, stated honestly:
 * - if the collector can link one visitor's reports across epochs by other means (IP address,
 *   timing), a change of the reported output reveals that the true cohort changed (no
 *   instantaneous randomization layer is added, unlike RAPPOR's IRR; the same cohort never
 *   changes the output);
 * - a new space version, a new ε or mechanism, or deleting the memos (`forget()`, a cleared
 *   browser) starts fresh draws: each such restart is a new ε;
 * - the per-epoch budget (planEpoch) accounts ε per report as if draws were fresh: it is an
 *   upper bound, not the lifetime loss above; `report.lifetimeBudget` caps the loss above (the
 *   returned `fresh` says whether this report is a new draw).
 * @throws CohortkitError `invalid-argument` for a bad index, epoch, k or ε
 */
export function buildReport(args: BuildReportArgs): { report: LDPReport; memo: ReportMemo; fresh: boolean } {
  const { space, epoch, index, epsilon, mechanism = 'auto', random = defaultRandom, memo } = args;
  const m = createMechanism({ k: space.k, epsilon, mechanism, random });
  if (!isInt(index, m.k)) throw new CohortkitError('invalid-argument', `index: expected an integer in [0, ${m.k})`);
  if (!Number.isSafeInteger(epoch) || epoch < 0) throw new CohortkitError('invalid-argument', 'epoch: expected a day number ≥ 0');
  const key = memoKey(space, index, epsilon, m.name);
  const fresh = !(memo && memo.key === key && fits(m, memo.value));
  const v = (fresh ? m.perturb(index) : memo!.value) as unknown as { value: number; bits: string; items: string; seed: number; g: number };
  const head = { v: 1, id: randomId(random), space: space.id, spaceVersion: space.version, epoch, k: m.k, mechanism: m.name, epsilon };
  const tail: ReportValue =
    m.name === 'grr' ? { value: v.value } : m.name === 'oue' ? { bits: v.bits } : m.name === 'ss' ? { items: v.items } : { seed: v.seed, g: v.g, value: v.value };
  return { report: { ...head, ...tail } as LDPReport, memo: { key, value: { ...tail } }, fresh };
}

/**
 * True when buildReport with these arguments would reuse `memo` (a repeat, no new draw); false when
 * it would draw afresh (no memo, another key, or a malformed one). The lifetime accountant
 * (report.lifetimeBudget) counts only fresh draws.
 */
export function reusesMemo(space: CompiledSpace, index: number, epsilon: number, mechanism: 'auto' | MechanismName, memo: ReportMemo | undefined): boolean {
  const m = createMechanism({ k: space.k, epsilon, mechanism });
  return !!memo && memo.key === memoKey(space, index, epsilon, m.name) && fits(m, memo.value);
}
