import type { DecideRequest, Decision } from '../types';
import { countExposures, parseDuration } from './caps';

/** What `decideVariant` needs to know, supplied by the client. */
export interface DecideEnv {
  /** Membership of a segment for this visitor: `granted` = every purpose it relies on is granted. */
  member(segmentId: string): { member: boolean; sensitive: boolean; granted: boolean; known: boolean };
  /**
   * `holdoutBucket(localId, slot)`: in [0, 1), stable per visitor and slot. A function is called
   * only when the bucket is needed (an eligible visitor and a holdout), so the local id can be
   * created lazily.
   */
  holdoutBucket: number | (() => number);
  /**
   * May this visitor join an arm now? False while the purposes of the experiment reading this slot
   * are not all granted (then the holdout does not apply: nobody is randomized without them).
   * Default true (a slot no experiment reads).
   */
  randomize?: boolean;
  /** Timestamps of past exposures of this slot's variant for `segment`. */
  exposures(slot: string, segment: string): number[];
  now: number;
}

/**
 * Picks the variant to show (pure; recording the exposure is the caller's job, on `reason: 'segment'`).
 * Precedence:
 * 1. Variants in order, skipping unknown segments, sensitive ones unless `allowSensitive`, and
 *    segments whose purposes are not granted. The first member wins: if its `cap` is reached
 *    (exposures with `now - t < per` ≥ `max`) → fallback, `'capped'` with that segment (later
 *    variants are not tried).
 * 2. That visitor is *eligible* (they would be shown a variant). Only then does `holdout` apply:
 *    when `randomize` is not false and `holdoutBucket < holdout` → fallback, `'holdout'` with the
 *    segment they would have seen; else the variant's value, `'segment'`.
 * 3. No member: `'no-consent'` if a considered variant's segment lacked consent, else `'no-match'`.
 * So `'holdout'` never reaches a visitor who has no eligible variant (v1 drew it first of all).
 */
export function decideVariant(req: DecideRequest, env: DecideEnv): Decision {
  const fallback = req.fallback;
  let noConsent = false;
  for (const { segment, value } of req.variants) {
    const m = env.member(segment);
    if (!m.known || (m.sensitive && !req.allowSensitive)) continue;
    if (!m.granted) {
      noConsent = true;
      continue;
    }
    if (!m.member) continue;
    const per = req.cap && parseDuration(req.cap.per);
    if (per && countExposures(env.exposures(req.slot, segment), env.now, per) >= req.cap!.max)
      return { value: fallback, reason: 'capped', segment };
    if (req.holdout && env.randomize !== false) {
      const b = env.holdoutBucket;
      if ((typeof b === 'function' ? b() : b) < req.holdout) return { value: fallback, reason: 'holdout', segment };
    }
    return { value, reason: 'segment', segment };
  }
  return { value: fallback, reason: noConsent ? 'no-consent' : 'no-match' };
}
