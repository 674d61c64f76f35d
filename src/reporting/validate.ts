// Validation of `options.cohorts` (against the segment catalog) and `options.report`.
import type { Catalog } from '../segments';
import { arr, opt, req, shape, uniqueId, type Schema } from '../schema';
import { POSITIVE, SAFE_POSITIVE_INT, TEXT, fail, oneOf, read, show, want } from '../validate';
import type { MechanismName } from '../types';
import { maxK } from '../privacy/mechanisms';

/** A validated cohort space. Cohort i is `cohorts[i]`; the fallback is index `cohorts.length`. */
export interface CompiledSpace {
  id: string;
  version: number;
  description: string;
  /** Number of cohorts including the fallback: `cohorts.length + 1`. */
  k: number;
  cohorts: Array<{ id: string; segment: string }>;
  fallback: string;
  /** Purposes a report of this space relies on: 'measurement' ∪ effective purposes of its segments. */
  purposes: string[];
}

/** Validated `options.report`, defaults filled in. */
export interface ReportConfig {
  endpoint: string;
  epsilon: number;
  epoch: 'day' | 'week';
  mechanism: 'auto' | MechanismName;
  budget?: number;
  /** Cap on the ε ever spent per space on fresh draws (see src/reporting/lifetime.ts). */
  lifetimeBudget?: number;
  /** Report the built-in consent space; absent when 'off'. */
  consentRates?: 'consented' | 'exempt';
}

/**
 * Validates `options.cohorts` (undefined → no spaces) against the compiled segment catalog.
 * Every segment must exist and must not be (effectively) sensitive.
 * @throws CohortkitError `invalid-options`, e.g. `cohorts[1].cohorts[0].segment: unknown segment "x"`
 */
export function validateCohortSpaces(input: unknown, catalog: Catalog): CompiledSpace[] {
  const seen = new Set<string>();
  const space: Schema<CompiledSpace> = (v, p) => {
    const ids = new Set<string>();
    const purposes = new Set(['measurement']);
    return shape(
      {
        id: uniqueId(seen),
        version: (x, q) => want(x ?? 1, SAFE_POSITIVE_INT, q),
        description: req(TEXT),
        cohorts: arr(
          shape({
            id: uniqueId(ids),
            segment: (x, q) => {
              const seg = typeof x == 'string' ? catalog.get(x) : undefined;
              if (!seg) return fail(q, `unknown segment ${show(x)}`);
              if (seg.sensitive) fail(q, `segment "${seg.id}" is sensitive and is never reported`);
              for (const y of seg.effectivePurposes) purposes.add(y);
              return seg.id;
            },
          }),
          1,
        ),
        fallback: uniqueId(ids),
      },
      0,
      (s) => ({ ...s, k: s.cohorts.length + 1, purposes: [...purposes] }),
    )(v, p);
  };
  return input === undefined ? [] : read(() => arr(space)(input, 'cohorts'), 'cohorts');
}

const EPOCHS = ['day', 'week'];
const MECHANISMS = ['auto', 'grr', 'oue', 'olh', 'ss'];
const LOOPBACK = /^(localhost|\[::1\]|127\.\d+\.\d+\.\d+)$/;

/** The page's location, against which a relative `report.endpoint` resolves (none in Node). */
export const pageBase = (): string | undefined => (typeof location === 'undefined' ? undefined : location.href);

/**
 * Validates `options.report`: `endpoint` an absolute `https:` URL (`http:` only on loopback:
 * 127.0.0.0/8, localhost, [::1]; a query string is allowed, credentials are not), `epsilon`
 * finite > 0 (default 1), `epoch` 'day' | 'week' (default 'day'), `mechanism` (default 'auto'),
 * `budget` finite > 0 (default, applied by the accountant: ε × number of spaces), `lifetimeBudget`
 * finite > 0 (default none: uncapped, still accounted), `consentRates`
 * 'off' | 'consented' | 'exempt' (default 'off'). With `base` (the page's location), a relative
 * endpoint ('/v1/reports') resolves against it, as createClient and describeCatalog do. With
 * `spaces` (the validated cohorts), a `mechanism` that cannot report one of them (`ss` takes
 * k ≤ 4096, `oue` k ≤ 262,144) is refused: such a space would never report.
 * @throws CohortkitError `invalid-options`, e.g. `report.endpoint: expected https: (or http: on loopback)`,
 *   `report.mechanism: ss takes k ≤ 4096; cohorts[1] has k = 4101`
 */
export function validateReportOptions(input: unknown, base?: string, spaces: CompiledSpace[] = []): ReportConfig {
  return shape<ReportConfig>({
    endpoint: (endpoint, path) => {
      let url: URL | undefined;
      try {
        if (typeof endpoint == 'string') url = new URL(endpoint, base);
      } catch {
        /* not absolute */
      }
      if (!url) return fail(path, 'expected an absolute URL');
      if (url.protocol != 'https:' && !(url.protocol == 'http:' && LOOPBACK.test(url.hostname))) fail(path, 'expected https: (or http: on loopback)');
      if (url.username || url.password) fail(path, 'must not contain credentials');
      return base ? url.href : endpoint;
    },
    // No estimator accepts a report below 1e-6 (no finite estimate): such a client would never count.
    epsilon: opt([(v) => POSITIVE[0](v) && v >= 1e-6, 'expected a finite number ≥ 1e-6'], 1),
    epoch: opt(oneOf(EPOCHS), 'day'),
    mechanism: (v, p) => {
      v = opt(oneOf(MECHANISMS), 'auto')(v, p);
      spaces.forEach((s, i) => s.k > maxK(v) && fail(p, `${v} takes k ≤ ${maxK(v)}; cohorts[${i}] has k = ${s.k}`));
      return v;
    },
    budget: opt(POSITIVE),
    lifetimeBudget: opt(POSITIVE),
    // 'off' (the default) leaves the key out.
    consentRates: (v, p) => ((v = opt(oneOf(['off', 'consented', 'exempt']))(v, p)) == 'off' ? undefined : v),
  })(input, 'report');
}
