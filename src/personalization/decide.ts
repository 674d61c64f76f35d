import type { DecideRequest, Decision } from '../types';
import { countExposures, parseDuration } from './caps';

/** What `decideVariant` needs to know, supplied by the client. */
export interface DecideEnv {
  /** Membership of a segment for this visitor: `granted` = every purpose it relies on is granted. */
  member(segmentId: string): { member: boolean; sensitive: boolean; granted: boolean; known: boolean };
  /** `holdoutBucket(localId, slot)`: in [0, 1), stable per visitor and slot. */
  holdoutBucket: number;
  /** Timestamps of past exposures of this slot's variant for `segment`. */
  exposures(slot: string, segment: string): number[];
  now: number;
}

/**
 * Picks the variant to show (pure; recording the exposure is the caller's job, on `reason: 'segment'`).
 * Precedence:
 * 1. `holdout`: when `holdoutBucket < holdout` → fallback, `'holdout'` (before consent or membership).
 * 2. Variants in order, skipping unknown segments, sensitive ones unless `allowSensitive`, and
 *    segments whose purposes are not granted. The first member wins: if its `cap` is reached
 *    (exposures with `now - t < per` ≥ `max`) → fallback, `'capped'` with that segment (later variants
 *    are not tried); else its value, `'segment'`.
 * 3. No member: `'no-consent'` if a considered variant's segment lacked consent, else `'no-match'`.
 */
export function decideVariant(req: DecideRequest, env: DecideEnv): Decision {
  const fallback = req.fallback;
  if (req.holdout && env.holdoutBucket < req.holdout) return { value: fallback, reason: 'holdout' };
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
    return { value, reason: 'segment', segment };
  }
  return { value: fallback, reason: noConsent ? 'no-consent' : 'no-match' };
}
