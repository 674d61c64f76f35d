import type { DecideRequest, Duration } from '../types';
import { duration } from '../segments/duration';
import { arr, opt, req as reqd, shape } from '../schema';
import { BOOL, ID, SAFE_POSITIVE_INT, fail } from '../validate';

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
  return shape<DecideRequest>(
    {
      slot: reqd([(s) => typeof s == 'string' && s && s.length <= MAX_SLOT_LENGTH, `expected a non-empty string of at most ${MAX_SLOT_LENGTH} characters`]),
      variants: arr(shape({ segment: reqd(ID) }, ['segment', 'value'], (v, p, o) => ('value' in o ? { ...v, value: o.value } : fail(`${p}.value`, 'required', A)))),
      fallback: (v, p, c, out, o) => ('fallback' in o! ? v : fail(p, 'required (the non-personalized default)', A)),
      holdout: opt([(h) => typeof h == 'number' && h >= 0 && h <= 1, 'expected a number in [0, 1]']),
      allowSensitive: opt(BOOL),
      cap: opt(shape({ max: reqd(SAFE_POSITIVE_INT), per: (v, p, c) => (duration(v, p, c), v as Duration) })),
    },
    ['slot', 'variants', 'fallback', 'holdout', 'cap', 'allowSensitive'],
    (r, _, o) => ({ ...r, fallback: o.fallback }),
  )(req, 'request', A);
}
