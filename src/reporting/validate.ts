// Validation of `options.cohorts` (against the segment catalog) and `options.report`.
import { CohortkitError } from '../errors';
import { optionsError, readObject } from '../options';
import { ID_PATTERN, type Catalog } from '../segments';
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
}

const id = (v: unknown, path: string): string => {
  if (typeof v !== 'string' || !ID_PATTERN.test(v)) throw optionsError(path, `expected an id matching ${ID_PATTERN}`);
  return v;
};

const positive = (v: unknown, path: string): number => {
  if (typeof v !== 'number' || !(v > 0) || v === Infinity) throw optionsError(path, 'expected a finite number > 0');
  return v;
};

const oneOf = <T extends string>(v: unknown, path: string, allowed: readonly T[]): T => {
  if (!allowed.includes(v as T)) throw optionsError(path, `expected one of ${allowed.join(', ')}`);
  return v as T;
};

/**
 * Validates `options.cohorts` (undefined → no spaces) against the compiled segment catalog.
 * Every segment must exist and must not be (effectively) sensitive.
 * @throws CohortkitError `invalid-options`, e.g. `cohorts[1].cohorts[0].segment: unknown segment "x"`
 */
export function validateCohortSpaces(input: unknown, catalog: Catalog): CompiledSpace[] {
  if (input === undefined) return [];
  try {
    if (!Array.isArray(input)) throw optionsError('cohorts', 'expected an array of cohort spaces');
    const seen = new Set<string>();
    return Array.from(input, (raw: unknown, i): CompiledSpace => {
      const p = `cohorts[${i}]`;
      const s = readObject(raw, p, ['id', 'version', 'description', 'cohorts', 'fallback']);
      const sid = id(s.id, `${p}.id`);
      if (seen.has(sid)) throw optionsError(`${p}.id`, `duplicate space id "${sid}"`);
      seen.add(sid);
      const version = s.version ?? 1;
      if (!Number.isSafeInteger(version) || (version as number) < 1) throw optionsError(`${p}.version`, 'expected a positive integer');
      const { description } = s;
      if (typeof description !== 'string' || !description.trim()) throw optionsError(`${p}.description`, 'expected a non-empty string');
      const list = s.cohorts;
      if (!Array.isArray(list) || !list.length) throw optionsError(`${p}.cohorts`, 'expected a non-empty array');
      const ids = new Set<string>();
      const purposes = new Set(['measurement']);
      const cohorts = Array.from(list, (rc: unknown, j) => {
        const cp = `${p}.cohorts[${j}]`;
        const c = readObject(rc, cp, ['id', 'segment']);
        const cid = id(c.id, `${cp}.id`);
        if (ids.has(cid)) throw optionsError(`${cp}.id`, `duplicate cohort id "${cid}"`);
        ids.add(cid);
        const seg = typeof c.segment === 'string' ? catalog.get(c.segment) : undefined;
        if (!seg) throw optionsError(`${cp}.segment`, `unknown segment ${JSON.stringify(c.segment)}`);
        if (seg.sensitive) throw optionsError(`${cp}.segment`, `segment "${seg.id}" is sensitive and is never reported`);
        for (const x of seg.effectivePurposes) purposes.add(x);
        return { id: cid, segment: seg.id };
      });
      const fallback = id(s.fallback, `${p}.fallback`);
      if (ids.has(fallback)) throw optionsError(`${p}.fallback`, `duplicate cohort id "${fallback}"`);
      return { id: sid, version: version as number, description, k: cohorts.length + 1, cohorts, fallback, purposes: [...purposes] };
    });
  } catch (e) {
    if (e instanceof CohortkitError) throw e;
    throw optionsError('cohorts', 'could not be read', e);
  }
}

const LOOPBACK = /^(localhost|\[::1\]|127\.\d+\.\d+\.\d+)$/;

/**
 * Validates `options.report`: `endpoint` an absolute `https:` URL (`http:` only on loopback:
 * 127.0.0.0/8, localhost, [::1]; a query string is allowed, credentials are not), `epsilon`
 * finite > 0 (default 1), `epoch` 'day' | 'week' (default 'day'), `mechanism` (default 'auto'),
 * `budget` finite > 0 (default, applied by the accountant: ε × number of spaces).
 * @throws CohortkitError `invalid-options`, e.g. `report.endpoint: expected https: (or http: on loopback)`
 */
export function validateReportOptions(input: unknown): ReportConfig {
  const o = readObject(input, 'report', ['endpoint', 'epsilon', 'epoch', 'mechanism', 'budget']);
  const path = 'report.endpoint';
  const endpoint = o.endpoint;
  let url: URL | undefined;
  try {
    url = typeof endpoint === 'string' ? new URL(endpoint) : undefined;
  } catch {
    /* not absolute */
  }
  if (!url) throw optionsError(path, 'expected an absolute URL');
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.test(url.hostname)))
    throw optionsError(path, 'expected https: (or http: on loopback)');
  if (url.username || url.password) throw optionsError(path, 'must not contain credentials');
  const out: ReportConfig = {
    endpoint: endpoint as string,
    epsilon: o.epsilon === undefined ? 1 : positive(o.epsilon, 'report.epsilon'),
    epoch: o.epoch === undefined ? 'day' : oneOf(o.epoch, 'report.epoch', ['day', 'week'] as const),
    mechanism: o.mechanism === undefined ? 'auto' : oneOf(o.mechanism, 'report.mechanism', ['auto', 'grr', 'oue', 'olh'] as const),
  };
  if (o.budget !== undefined) out.budget = positive(o.budget, 'report.budget');
  return out;
}
