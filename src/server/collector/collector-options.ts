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
  /**
   * How long the collector waits for the store (ms; default {@link DEFAULT_STORE_TIMEOUT_MS}): a
   * batch's transaction and each read (not the first opening of the store: PGlite creates its data
   * directory in seconds); PostgreSQL's connection attempts, queries and statements too. Past it the request answers 503 with `Retry-After`
   * (nothing of it accepted; the client retries) and the next requests proceed. `/healthz` pings
   * the store for at most min(storeTimeoutMs, 2,000 ms).
   */
  storeTimeoutMs?: number;
}

/** {@link CollectorOptions.storeTimeoutMs}'s default: 10 s. */
export const DEFAULT_STORE_TIMEOUT_MS = 10_000;

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
  storeTimeoutMs: number;
}

const bad = (msg: string): never => {
  throw new CohortkitError('invalid-options', msg);
};

/**
 * Checks one CORS origin as a browser sends it in `Origin`: `scheme://host[:port]`, lowercase, no
 * default port, no path, no trailing slash (anything else could never match, since origins are
 * compared exactly). `*` is refused: any origin is what leaving `allowOrigins` out means.
 */
export function checkOrigin(o: unknown, path: string): string {
  if (o === '*') bad(`${path}: "*" is not an origin; omit allowOrigins (and --allow-origin) to allow any origin`);
  let ok = false;
  if (typeof o === 'string' && o.length <= 2048) {
    try {
      const u = new URL(o);
      ok = /^[a-z][a-z0-9+.-]*:$/.test(u.protocol) && u.host !== '' && `${u.protocol}//${u.host}` === o;
    } catch {}
  }
  if (!ok) bad(`${path}: expected an origin like "https://example.com" (scheme://host[:port], lowercase, no path)`);
  return o as string;
}

/** Checks `allowOrigins`: an array of {@link checkOrigin} origins, an error naming `path[i]`. */
export function checkOrigins(list: unknown, path: string): string[] {
  if (!Array.isArray(list)) bad(`${path}: expected an array of origins like "https://example.com"`);
  (list as unknown[]).forEach((o, i) => checkOrigin(o, `${path}[${i}]`));
  return list as string[];
}

/**
 * Checks a PostgreSQL connection string without ever echoing it (it holds the password): a
 * `postgres:` or `postgresql:` URL whose user, password and database are validly percent-encoded.
 */
export function checkDatabaseUrl(url: unknown, path: string): string {
  const msg = `${path}: expected a postgres:// or postgresql:// URL (postgres://user:password@host:port/database, special characters percent-encoded)`;
  let ok = false;
  if (typeof url === 'string') {
    try {
      const u = new URL(url);
      decodeURIComponent(u.username);
      decodeURIComponent(u.password);
      decodeURIComponent(u.pathname);
      ok = u.protocol === 'postgres:' || u.protocol === 'postgresql:';
    } catch {}
  }
  if (!ok) bad(msg);
  return url as string;
}

/** Checks collector options; throws `invalid-options` naming the option. */
export function checkCollectorOptions(opts: CollectorOptions): CheckedOptions {
  if (typeof opts !== 'object' || opts === null) bad('options: expected an object');
  const spaces = checkSpaces(opts.spaces, 'spaces', true);
  const { minCount, allowOrigins, log, now = Date.now, rateLimit = { requests: 200, perMs: 1000 } } = opts;
  const { epsilons, readToken, perAddressLimit = 600, trustProxy = false } = opts;
  if (minCount !== undefined && !(typeof minCount === 'number' && minCount >= 0 && minCount < Infinity)) bad('minCount: expected a finite number ≥ 0');
  if (allowOrigins !== undefined) checkOrigins(allowOrigins, 'allowOrigins');
  if (rateLimit !== false && !(typeof rateLimit === 'object' && rateLimit !== null && rateLimit.requests >= 1 && rateLimit.perMs > 0 && rateLimit.requests < Infinity && rateLimit.perMs < Infinity)) {
    bad('rateLimit: expected { requests ≥ 1, perMs > 0 } or false');
  }
  if (typeof now !== 'function') bad('now: expected a function returning ms');
  if (log !== undefined && typeof log !== 'function') bad('log: expected a function');
  const so = opts.store;
  if (so !== undefined && (typeof so !== 'object' || so === null || !('addBatch' in so || 'dataDir' in so || 'databaseUrl' in so))) {
    bad('store: expected { dataDir } or { databaseUrl }');
  }
  // The store opens on first use: a bad thread option or connection string is refused here, at start.
  if (so && 'dataDir' in so) checkThread(so.thread);
  if (so && 'databaseUrl' in so) checkDatabaseUrl(so.databaseUrl, 'store.databaseUrl');
  if (epsilons !== undefined && !(Array.isArray(epsilons) && epsilons.length >= 1 && epsilons.length <= 64 && epsilons.every((e) => typeof e === 'number' && e >= 1e-6 && e < Infinity))) {
    bad('epsilons: expected 1 to 64 finite numbers ≥ 1e-6');
  }
  if (readToken !== undefined) checkReadToken(readToken);
  if (perAddressLimit !== false && !(Number.isSafeInteger(perAddressLimit) && perAddressLimit >= 1 && perAddressLimit <= 1e9)) {
    bad('perAddressLimit: expected an integer in [1, 1e9] (reports per minute) or false');
  }
  if (typeof trustProxy !== 'boolean') bad('trustProxy: expected true or false');
  const { storeTimeoutMs = DEFAULT_STORE_TIMEOUT_MS } = opts;
  if (!(Number.isSafeInteger(storeTimeoutMs) && storeTimeoutMs >= 1 && storeTimeoutMs <= 3_600_000)) bad('storeTimeoutMs: expected an integer in [1, 3600000] (ms)');
  if (opts.publish !== undefined && !['unsuppressed', 'complementary', 'all'].includes(opts.publish)) bad('publish: expected "unsuppressed", "complementary" or "all"');
  return {
    ...opts,
    spaces,
    now,
    rateLimit,
    perAddressLimit,
    trustProxy,
    storeTimeoutMs,
    dedupeDays: checkDays(opts.dedupeDays, 'dedupeDays'),
    maxGroups: checkMaxGroups(opts.maxGroups, 'maxGroups'),
  };
}
