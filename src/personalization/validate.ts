import type { DecideRequest, Duration } from '../types';
import { duration } from '../segments/duration';
import { BOOL, ID, check, fail, list, obj, want } from '../validate';

/** Longest slot name. */
export const MAX_SLOT_LENGTH = 64;
const A = 'invalid-argument';

/**
 * Validates a `decide()` request and returns a snapshot copy of it (each getter read once).
 * Throws `CohortkitError('invalid-argument')` naming the path, e.g. `request.variants[1].segment: …`.
 * `fallback` must be present (its value may be anything, `undefined` included); optional keys set to
 * `undefined` count as absent.
 */
export function validateDecideRequest(req: unknown): DecideRequest {
  const r = obj(req, 'request', ['slot', 'variants', 'fallback', 'holdout', 'cap', 'allowSensitive'], A);
  const { slot, holdout, cap, allowSensitive: as } = r;
  if (typeof slot != 'string' || !slot || slot.length > MAX_SLOT_LENGTH)
    fail('request.slot', `expected a non-empty string of at most ${MAX_SLOT_LENGTH} characters`, A);
  const out: DecideRequest = {
    slot: slot as string,
    variants: list(r.variants, 'request.variants', 0, A).map((item, i) => {
      const p = `request.variants[${i}]`;
      const v = obj(item, p, ['segment', 'value'], A);
      const segment = want(v.segment, ID, `${p}.segment`, A);
      if (!('value' in v)) fail(`${p}.value`, 'required', A);
      return { segment, value: v.value };
    }),
    fallback: r.fallback,
  };
  if (!('fallback' in r)) fail('request.fallback', 'required (the non-personalized default)', A);
  check(r, 'request', { holdout: [(h) => typeof h == 'number' && h >= 0 && h <= 1, 'expected a number in [0, 1]'], allowSensitive: BOOL }, A);
  if (holdout !== undefined) out.holdout = holdout as number;
  if (cap !== undefined) {
    const { max, per } = obj(cap, 'request.cap', ['max', 'per'], A);
    if (!Number.isSafeInteger(max) || (max as number) < 1) fail('request.cap.max', 'expected a positive integer', A);
    duration(per, 'request.cap.per', A);
    out.cap = { max: max as number, per: per as Duration };
  }
  if (as !== undefined) out.allowSensitive = as as boolean;
  return out;
}
