import { CohortkitError } from '../../errors';
import { fromBase64url } from '../../privacy/index';
import { SS_MAX_K, subsetSize } from '../../privacy/subset';
import type { CohortSpace, LDPReport, MechanismName } from '../../types';

/** Outcome of checking one wire report: a clean copy, or an error naming the field. */
export type ReportCheck = { ok: true; report: LDPReport } | { ok: false; error: string };

const ID_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** Cohort ids of the built-in `consent` space: `purpose:state` joined by `|` (see consentSpace). */
const CONSENT_COHORT_RE = /^[a-z0-9][a-z0-9_-]{0,63}:(unset|granted|denied)(\|[a-z0-9][a-z0-9_-]{0,63}:(unset|granted|denied)){0,5}$/;
const isCohortId = (space: string, id: string): boolean => ID_RE.test(id) || (space === 'consent' && CONSENT_COHORT_RE.test(id));
/** 22 characters of canonical unpadded base64url (the last carries 2 bits, the rest zero). */
const REPORT_ID_RE = /^[A-Za-z0-9_-]{21}[AQgw]$/;
const BASE = ['v', 'id', 'space', 'spaceVersion', 'epoch', 'k', 'mechanism', 'epsilon'];
const FIELDS: Record<MechanismName, string[]> = { grr: ['value'], oue: ['bits'], olh: ['seed', 'g', 'value'], ss: ['items'] };


/** True for a report id: exactly 22 characters, canonical unpadded base64url of 16 bytes. */
export const isReportId = (id: unknown): id is string => typeof id === 'string' && REPORT_ID_RE.test(id);

const isInt = (x: unknown, min: number, max: number): x is number =>
  Number.isInteger(x) && (x as number) >= min && (x as number) <= max;

/** The version a space reports under: `space.version ?? 1`. */
export const spaceVersion = (space: CohortSpace): number => space.version ?? 1;

/**
 * Checks cohort spaces (ids, unique ids, at least one cohort, version) and returns them. With
 * `versions`, one id may appear once per version (several versions side by side).
 * Throws `CohortkitError('invalid-options')` naming the path, e.g. `spaces[1].cohorts[0].id`.
 */
export function checkSpaces(spaces: unknown, path = 'spaces', versions = false): CohortSpace[] {
  const fail = (p: string, msg: string): never => {
    throw new CohortkitError('invalid-options', `${p}: ${msg}`);
  };
  if (!Array.isArray(spaces)) fail(path, 'expected an array of cohort spaces');
  const seen = new Set<string>();
  (spaces as unknown[]).forEach((s, i) => {
    const p = `${path}[${i}]`;
    if (typeof s !== 'object' || s === null) fail(p, 'expected an object');
    const { id, version, cohorts, fallback } = s as Record<string, unknown>;
    if (typeof id !== 'string' || !ID_RE.test(id)) fail(`${p}.id`, 'expected an id like "lifecycle"');
    if (version !== undefined && !isInt(version, 1, 2147483647)) fail(`${p}.version`, 'expected a positive integer (at most 2^31 − 1)');
    const key = versions ? `${id}@${version ?? 1}` : (id as string);
    if (seen.has(key)) fail(versions ? `${p}.version` : `${p}.id`, `duplicate space ${versions ? `"${id}" version ${version ?? 1}` : `id "${id}"`}`);
    seen.add(key);
    if (!Array.isArray(cohorts) || cohorts.length < 1) fail(`${p}.cohorts`, 'expected a non-empty array');
    const ids = new Set<string>();
    (cohorts as unknown[]).forEach((c, j) => {
      const cid = (c as { id?: unknown } | null)?.id;
      if (typeof cid !== 'string' || !isCohortId(id as string, cid)) fail(`${p}.cohorts[${j}].id`, 'expected an id');
      if (ids.has(cid as string)) fail(`${p}.cohorts[${j}].id`, `duplicate cohort id "${cid}"`);
      ids.add(cid as string);
    });
    if (typeof fallback !== 'string' || !isCohortId(id as string, fallback)) fail(`${p}.fallback`, 'expected a cohort id');
    if (ids.has(fallback as string)) fail(`${p}.fallback`, `duplicate cohort id "${fallback}"`);
  });
  return spaces as CohortSpace[];
}

/**
 * The smallest ε any checker accepts (the estimator's default): a report's weight 1/(p − q) is
 * about k/ε, so far below it the estimates and their variances leave the range of a double.
 */
export const NUMERIC_MIN_EPSILON = 1e-6;

/** Which ε a checker accepts: `epsilons` exactly (when given), and within [`minEpsilon`, `maxEpsilon`]. */
export interface EpsilonPolicy {
  epsilons?: number[];
  /** Default (and never below) {@link NUMERIC_MIN_EPSILON}. */
  minEpsilon?: number;
  maxEpsilon?: number;
  /**
   * The OLH hash range a report must use for its ε (the collector pins cohortkit's own, so a
   * sender cannot pick a huge g: one report's influence grows with g).
   */
  olhRange?: (epsilon: number) => number;
}

/**
 * Returns a strict checker of wire reports for these spaces (several versions of one id may be
 * given). It never throws; it returns a clean copy of exactly the values it checked, or
 * `{ ok: false, error }` with the field named (`"value: expected an integer in [0, 5)"`). Any
 * missing or extra field is an error; an ε outside `policy` (or below 1e-6) is `epsilon: not accepted`.
 */
export function createReportValidator(spaces: CohortSpace[], policy: EpsilonPolicy = {}): (input: unknown) => ReportCheck {
  const byId = new Map<string, Map<number, CohortSpace>>();
  for (const s of spaces) byId.set(s.id, (byId.get(s.id) ?? new Map()).set(spaceVersion(s), s));
  const versionsOf = (m: Map<number, CohortSpace>): string => [...m.keys()].sort((a, b) => a - b).join(' or ');
  const eps = policy.epsilons && new Set(policy.epsilons);
  const maxEps = policy.maxEpsilon ?? Infinity;
  const minEps = Math.max(NUMERIC_MIN_EPSILON, policy.minEpsilon ?? 0);
  const allowedOf = (m: MechanismName): Set<string> => new Set(BASE.concat(FIELDS[m]));
  const ALLOWED = { grr: allowedOf('grr'), oue: allowedOf('oue'), olh: allowedOf('olh'), ss: allowedOf('ss') };
  const bad = (field: string, msg: string): ReportCheck => ({ ok: false, error: `${field}: ${msg}` });
  const check = (input: unknown): ReportCheck => {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) return bad('report', 'expected an object');
    const r = input as Record<string, unknown>;
    const { v, id, space, spaceVersion: sv, epoch, k, mechanism, epsilon } = r;
    const miss = [v, id, space, sv, epoch, k, mechanism, epsilon].indexOf(undefined);
    if (miss >= 0) return bad(BASE[miss], 'missing');
    if (v !== 1) return bad('v', 'expected 1');
    if (!isReportId(id)) return bad('id', 'expected 22 characters of base64url (16 bytes)');
    const vs = typeof space === 'string' ? byId.get(space) : undefined;
    if (!vs) return bad('space', 'unknown space');
    const s = typeof sv === 'number' ? vs.get(sv) : undefined;
    if (!s) return bad('spaceVersion', `expected ${versionsOf(vs)}`);
    if (!isInt(epoch, 0, Number.MAX_SAFE_INTEGER)) return bad('epoch', 'expected a non-negative integer');
    const kk = s.cohorts.length + 1;
    if (k !== kk) return bad('k', `expected ${kk}`);
    if (mechanism !== 'grr' && mechanism !== 'oue' && mechanism !== 'olh' && mechanism !== 'ss') return bad('mechanism', 'expected grr, oue, olh or ss');
    if (typeof epsilon !== 'number' || !(epsilon > 0) || epsilon === Infinity) return bad('epsilon', 'expected a finite number > 0');
    if (epsilon < minEps || epsilon > maxEps || (eps && !eps.has(epsilon))) return bad('epsilon', 'not accepted');
    const { value, bits, items, seed, g } = r;
    const fields = FIELDS[mechanism];
    const m = fields.findIndex((f) => r[f] === undefined);
    if (m >= 0) return bad(fields[m], 'missing');
    let report: LDPReport;
    if (mechanism === 'oue' || mechanism === 'ss') {
      const f = mechanism === 'oue' ? 'bits' : 'items';
      const str = mechanism === 'oue' ? bits : items;
      const len = Math.ceil(kk / 8);
      const b = typeof str === 'string' ? fromBase64url(str) : undefined;
      if (!b || b.length !== len) return bad(f, `expected unpadded base64url of ${len} bytes`);
      if (kk & 7 && b[len - 1] >> (kk & 7)) return bad(f, `bits at or above k (${kk}) must be zero`);
      if (mechanism === 'oue') {
        report = { v, id: id as string, space: space as string, spaceVersion: sv as number, epoch, k, mechanism, epsilon, bits: str as string };
      } else {
        if (kk > SS_MAX_K) return bad('mechanism', `ss takes k ≤ ${SS_MAX_K}`);
        const d = subsetSize(kk, epsilon);
        let set = 0;
        for (const x of b) for (let y = x; y; y &= y - 1) set++;
        if (set !== d) return bad('items', `expected exactly ${d} cohorts (d for k = ${kk}, ε = ${epsilon}), got ${set}`);
        report = { v, id: id as string, space: space as string, spaceVersion: sv as number, epoch, k, mechanism, epsilon, items: str as string };
      }
    } else if (mechanism === 'olh') {
      if (!isInt(seed, 0, 4294967295)) return bad('seed', 'expected a uint32');
      if (!isInt(g, 2, 4294967296)) return bad('g', 'expected an integer in [2, 2^32]');
      if (policy.olhRange && g !== policy.olhRange(epsilon)) return bad('g', "expected cohortkit's OLH range for its ε: round(e^ε + 1)");
      if (!isInt(value, 0, g - 1)) return bad('value', `expected an integer in [0, ${g})`);
      report = { v, id: id as string, space: space as string, spaceVersion: sv as number, epoch, k, mechanism, epsilon, seed, g, value };
    } else {
      if (!isInt(value, 0, kk - 1)) return bad('value', `expected an integer in [0, ${kk})`);
      report = { v, id: id as string, space: space as string, spaceVersion: sv as number, epoch, k, mechanism, epsilon, value };
    }
    // Every field must be an own property, and nothing else may be there.
    const keys = Object.keys(r);
    const allowed = ALLOWED[mechanism];
    if (keys.length !== allowed.size || !keys.every((f) => allowed.has(f))) {
      const extra = keys.find((f) => !allowed.has(f));
      if (extra === undefined) return bad([...allowed].find((f) => !keys.includes(f)) as string, 'missing');
      return bad(extra.length > 64 ? extra.slice(0, 64) + '…' : extra, 'unexpected field');
    }
    return { ok: true, report };
  };
  return (input) => {
    try {
      return check(input);
    } catch {
      return bad('report', 'unreadable');
    }
  };
}
