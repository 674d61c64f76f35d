import { CohortkitError } from '../../errors';
import type { CohortSpace } from '../../types';
import type { Estimator } from '../estimator/estimator';
import { checkReadToken } from './guard';
import { checkDays, checkMaxGroups, checkThread, type StoreOption } from './store';
import { checkSpaces } from '../estimator/validate-report';

export interface CollectorOptions {
  /** The spaces reports are accepted for; several versions of one id may be given side by side. */
  spaces: CohortSpace[];
  /** Also fed every accepted report; without `store`, estimates are read from it. */
  estimator?: Estimator;
  minCount?: number;
  /** Exact origins allowed (CORS); absent: any origin (`*`, no credentials ever). */
  allowOrigins?: string[];
  /** Absent: memory only. `{ dataDir }`: PGlite. `{ databaseUrl }`: PostgreSQL. Or a custom store. */
  store?: StoreOption;
  /** Epochs accepted: `[today − dedupeDays, today + 1]` by the collector's clock; default 8. */
  dedupeDays?: number;
  /** Per connection: `{ requests, perMs }` token bucket (default 200 per 1,000 ms), or `false`. */
  rateLimit?: { requests: number; perMs: number } | false;
  /** One line per batch (no IP, no user agent, no report content). */
  log?: (line: string) => void;
  /** The collector's clock (ms): the epoch window, the rate limiters, log lines. Default Date.now. */
  now?: () => number;
  /**
   * Accepted ε values; default: any finite ε in (0, 20] (API.md), below {@link DEFAULT_MIN_EPSILON}
   * refused: no finite estimate. Set it to your clients' ε: a report of a small ε weighs more than
   * many honest ones (docs/collector.md, "The ε floor").
   */
  epsilons?: number[];
  /** Distinct (mechanism, ε, g) groups per space, version and epoch; default 8. */
  maxGroups?: number;
  /** GET /v1/estimates and /v1/spaces need `Authorization: Bearer <readToken>`. */
  readToken?: string;
  /** Reports per sliding minute from one client address (memory only); default 600, or `false`. */
  perAddressLimit?: number | false;
  /** The client address is the last entry of X-Forwarded-For (behind your proxy); default false. */
  trustProxy?: boolean;
  /**
   * What GET /v1/estimates publishes of a suppressed cohort (ci95 below `minCount`):
   * `'unsuppressed'` (default) sends `estimate`, `stderr` and `ci95` as null, exactly for the
   * suppressed cohorts; `'complementary'` also withholds the smallest other one when exactly one is
   * suppressed (complementary suppression); `'all'` the raw numbers.
   */
  publish?: 'unsuppressed' | 'complementary' | 'all';
}

/**
 * The smallest ε the collector (and the estimator) accepts: below it an estimate is not worth a
 * number. One report moves a cohort's estimate by up to (1 − q)/(p − q) ≈ k/ε and adds
 * q(1 − q)/(p − q)² ≈ (k/ε)² to its variance; at ε = 1e-17 p − q rounded to 0 and made every
 * estimate of its epoch NaN. Above it, API.md's default ("any finite ε in (0, 20]") stands, and
 * `epsilons` is how an operator keeps a small-ε report from swamping the honest ones.
 */
export const DEFAULT_MIN_EPSILON = 1e-6;

export interface CheckedOptions extends CollectorOptions {
  spaces: CohortSpace[];
  dedupeDays: number;
  maxGroups: number;
  now: () => number;
  perAddressLimit: number | false;
  trustProxy: boolean;
  rateLimit: { requests: number; perMs: number } | false;
}

const bad = (msg: string): never => {
  throw new CohortkitError('invalid-options', msg);
};

/** Checks collector options; throws `invalid-options` naming the option. */
export function checkCollectorOptions(opts: CollectorOptions): CheckedOptions {
  if (typeof opts !== 'object' || opts === null) bad('options: expected an object');
  const spaces = checkSpaces(opts.spaces, 'spaces', true);
  const { minCount, allowOrigins, log, now = Date.now, rateLimit = { requests: 200, perMs: 1000 } } = opts;
  const { epsilons, readToken, perAddressLimit = 600, trustProxy = false } = opts;
  if (minCount !== undefined && !(typeof minCount === 'number' && minCount >= 0 && minCount < Infinity)) bad('minCount: expected a finite number ≥ 0');
  if (allowOrigins !== undefined && !(Array.isArray(allowOrigins) && allowOrigins.every((o) => typeof o === 'string'))) {
    bad('allowOrigins: expected an array of origins like "https://example.com"');
  }
  if (rateLimit !== false && !(typeof rateLimit === 'object' && rateLimit !== null && rateLimit.requests >= 1 && rateLimit.perMs > 0 && rateLimit.requests < Infinity && rateLimit.perMs < Infinity)) {
    bad('rateLimit: expected { requests ≥ 1, perMs > 0 } or false');
  }
  if (typeof now !== 'function') bad('now: expected a function returning ms');
  if (log !== undefined && typeof log !== 'function') bad('log: expected a function');
  const so = opts.store;
  if (so !== undefined && (typeof so !== 'object' || so === null || !('addBatch' in so || 'dataDir' in so || 'databaseUrl' in so))) {
    bad('store: expected { dataDir } or { databaseUrl }');
  }
  // The store opens on first use: a bad thread option is refused here, at start.
  if (so && 'dataDir' in so) checkThread(so.thread);
  if (epsilons !== undefined && !(Array.isArray(epsilons) && epsilons.length >= 1 && epsilons.length <= 64 && epsilons.every((e) => typeof e === 'number' && e >= 1e-6 && e < Infinity))) {
    bad('epsilons: expected 1 to 64 finite numbers ≥ 1e-6');
  }
  if (readToken !== undefined) checkReadToken(readToken);
  if (perAddressLimit !== false && !(Number.isSafeInteger(perAddressLimit) && perAddressLimit >= 1 && perAddressLimit <= 1e9)) {
    bad('perAddressLimit: expected an integer in [1, 1e9] (reports per minute) or false');
  }
  if (typeof trustProxy !== 'boolean') bad('trustProxy: expected true or false');
  if (opts.publish !== undefined && !['unsuppressed', 'complementary', 'all'].includes(opts.publish)) bad('publish: expected "unsuppressed", "complementary" or "all"');
  return {
    ...opts,
    spaces,
    now,
    rateLimit,
    perAddressLimit,
    trustProxy,
    dedupeDays: checkDays(opts.dedupeDays, 'dedupeDays'),
    maxGroups: checkMaxGroups(opts.maxGroups, 'maxGroups'),
  };
}
