// Validation of `options.cohorts` (against the segment catalog) and `options.report`.
import type { Catalog } from '../segments';
import { POSITIVE, TEXT, check, fail, list, newId, obj, oneOf, read, want } from '../validate';
import type { MechanismName } from '../types';

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
  return input === undefined
    ? []
    : read(
        () =>
          list(input, 'cohorts').map((raw, i): CompiledSpace => {
            const p = `cohorts[${i}]`;
            const s = obj(raw, p, ['id', 'version', 'description', 'cohorts', 'fallback']);
            const sid = newId(seen, s.id, `${p}.id`);
            const version = s.version ?? 1;
            if (!Number.isSafeInteger(version) || (version as number) < 1) fail(`${p}.version`, 'expected a positive integer');
            const description = want(s.description, TEXT, `${p}.description`);
            const ids = new Set<string>();
            const purposes = new Set(['measurement']);
            const cohorts = list(s.cohorts, `${p}.cohorts`, 1).map((rc, j) => {
              const cp = `${p}.cohorts[${j}]`;
              const c = obj(rc, cp, ['id', 'segment']);
              const cid = newId(ids, c.id, `${cp}.id`);
              const seg = typeof c.segment == 'string' ? catalog.get(c.segment) : undefined;
              if (!seg) return fail(`${cp}.segment`, `unknown segment ${JSON.stringify(c.segment)}`);
              if (seg.sensitive) fail(`${cp}.segment`, `segment "${seg.id}" is sensitive and is never reported`);
              for (const x of seg.effectivePurposes) purposes.add(x);
              return { id: cid, segment: seg.id };
            });
            const fallback = newId(ids, s.fallback, `${p}.fallback`);
            return { id: sid, version: version as number, description, k: cohorts.length + 1, cohorts, fallback, purposes: [...purposes] };
          }),
        'cohorts',
      );
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
 * endpoint ('/v1/reports') resolves against it, as createClient and describeCatalog do.
 * @throws CohortkitError `invalid-options`, e.g. `report.endpoint: expected https: (or http: on loopback)`
 */
export function validateReportOptions(input: unknown, base?: string): ReportConfig {
  const o = obj(input, 'report', ['endpoint', 'epsilon', 'epoch', 'mechanism', 'budget', 'lifetimeBudget', 'consentRates']);
  const { endpoint, epsilon: e, epoch, mechanism, budget } = o;
  const path = 'report.endpoint';
  let url: URL | undefined;
  try {
    if (typeof endpoint == 'string') url = new URL(endpoint, base);
  } catch {
    /* not absolute */
  }
  if (!url) return fail(path, 'expected an absolute URL');
  if (url.protocol != 'https:' && !(url.protocol == 'http:' && LOOPBACK.test(url.hostname))) fail(path, 'expected https: (or http: on loopback)');
  if (url.username || url.password) fail(path, 'must not contain credentials');
  check(o, 'report', { epsilon: POSITIVE, epoch: oneOf(EPOCHS), mechanism: oneOf(MECHANISMS), budget: POSITIVE, lifetimeBudget: POSITIVE, consentRates: oneOf(['off', 'consented', 'exempt']) });
  const out: ReportConfig = { endpoint: base ? url.href : (endpoint as string), epsilon: (e ?? 1) as number, epoch: (epoch ?? 'day') as 'day', mechanism: (mechanism ?? 'auto') as 'auto' };
  if (budget !== undefined) out.budget = budget as number;
  if (o.lifetimeBudget !== undefined) out.lifetimeBudget = o.lifetimeBudget as number;
  if (o.consentRates === 'consented' || o.consentRates === 'exempt') out.consentRates = o.consentRates;
  return out;
}
