import { CohortkitError } from '../../errors';
import type { CohortSpace } from '../../types';
import { addToRows, estimateFromRows, mergeRow, type EstimateResult, type StatsRow } from './stats';
import { NUMERIC_MIN_EPSILON, checkSpaces, createReportValidator, isReportId, spaceVersion } from './validate-report';

export interface EstimatorOptions {
  spaces: CohortSpace[];
  /** Cohorts whose 95% interval does not clear this count are marked `suppressed`. */
  minCount?: number;
  /**
   * How many report ids to remember for deduplication (default 1,000,000; FIFO: the oldest id is
   * forgotten first, so a replay older than the window is counted again). 0 disables dedupe.
   */
  dedupeWindow?: number;
}

/** Plain-JSON state of an estimator: sufficient statistics and the remembered ids. */
export interface EstimatorSnapshot {
  v: 1;
  rows: StatsRow[];
  ids: string[];
}

export type AddResult = { ok: true } | { ok: false; error: string };

export interface Estimator {
  /** Validates, dedupes (by id) and counts one wire report. Never throws. */
  add(report: unknown): AddResult;
  /** Estimates for a space; without `epoch`, the most recent epoch with reports. */
  estimate(space: string, epoch?: number): EstimateResult;
  /** Plain JSON: `{ v: 1, rows, ids }` (copies). */
  snapshot(): EstimatorSnapshot;
  /**
   * Adds a snapshot's rows and ids. Equals feeding this estimator the other's reports, provided
   * the two saw disjoint reports (rows are aggregates: a report counted by both stays counted
   * twice). Throws `invalid-argument` for a malformed snapshot, before changing anything.
   */
  merge(snapshot: unknown): void;
}

const isInt = (x: unknown, min: number): x is number => Number.isSafeInteger(x) && (x as number) >= min;

/**
 * Creates a pure, mergeable estimator for LDP cohort reports (any JS runtime). Throws
 * `invalid-options` for bad options, naming the path.
 */
export function createEstimator(opts: EstimatorOptions): Estimator {
  const badOpt = (msg: string): never => {
    throw new CohortkitError('invalid-options', msg);
  };
  if (typeof opts !== 'object' || opts === null) badOpt('options: expected an object');
  const { minCount, dedupeWindow = 1_000_000 } = opts;
  const spaces = checkSpaces(opts.spaces);
  if (minCount !== undefined && !(typeof minCount === 'number' && minCount >= 0 && minCount < Infinity)) {
    badOpt('minCount: expected a finite number ≥ 0');
  }
  if (!isInt(dedupeWindow, 0)) badOpt('dedupeWindow: expected an integer ≥ 0');
  const byId = new Map(spaces.map((s) => [s.id, s]));
  const validate = createReportValidator(spaces);
  const rows = new Map<string, StatsRow>();
  const ids = new Set<string>();
  // Set keeps insertion order: the first value is the oldest id. A re-added id moves to the end.
  const remember = (id: string, seen: boolean): void => {
    if (dedupeWindow === 0) return;
    if (seen) ids.delete(id);
    ids.add(id);
    if (ids.size > dedupeWindow) ids.delete(ids.values().next().value as string);
  };
  const badArg = (msg: string): never => {
    throw new CohortkitError('invalid-argument', msg);
  };

  const checkRow = (r: unknown, p: string): StatsRow => {
    const row = r as StatsRow;
    if (typeof r !== 'object' || r === null) badArg(`${p}: expected an object`);
    const s = byId.get(row.space);
    if (!s || row.spaceVersion !== spaceVersion(s) || row.k !== s.cohorts.length + 1) badArg(`${p}: unknown space, version or k`);
    if (!isInt(row.epoch, 0)) badArg(`${p}.epoch: expected a non-negative integer`);
    if (!['grr', 'oue', 'olh', 'ss'].includes(row.mechanism)) badArg(`${p}.mechanism: expected grr, oue, olh or ss`);
    if (typeof row.epsilon !== 'number' || !(row.epsilon >= NUMERIC_MIN_EPSILON) || row.epsilon === Infinity) badArg(`${p}.epsilon: expected a finite number ≥ 1e-6`);
    const olh = row.mechanism === 'olh';
    if (olh ? !isInt(row.g, 2) || row.g > 4294967296 : row.g !== 0) badArg(`${p}.g: expected ${olh ? 'an integer in [2, 2^32]' : '0'}`);
    if (!isInt(row.n, 0)) badArg(`${p}.n: expected a non-negative integer`);
    if (!Array.isArray(row.support) || row.support.length !== row.k || !row.support.every((c) => isInt(c, 0) && c <= row.n)) {
      badArg(`${p}.support: expected k integers in [0, n]`);
    }
    if (Object.keys(row).length !== 9) badArg(`${p}: unexpected fields`);
    return row;
  };

  return {
    add(report) {
      const res = validate(report);
      if (!res.ok) return res;
      const { id } = res.report;
      if (ids.has(id)) return { ok: false, error: 'duplicate' };
      remember(id, false);
      addToRows(rows, res.report);
      return { ok: true };
    },
    estimate(space, epoch) {
      const s = typeof space === 'string' ? byId.get(space) : undefined;
      if (!s) return badArg('space: unknown space');
      if (epoch !== undefined && !isInt(epoch, 0)) badArg('epoch: expected a non-negative integer');
      return estimateFromRows(rows.values(), s, { minCount, epoch });
    },
    snapshot() {
      return { v: 1, rows: [...rows.values()].map((r) => ({ ...r, support: r.support.slice() })), ids: [...ids] };
    },
    merge(snapshot) {
      const snap = snapshot as EstimatorSnapshot;
      if (typeof snap !== 'object' || snap === null || snap.v !== 1) badArg('snapshot: expected { v: 1, rows, ids }');
      if (!Array.isArray(snap.rows)) badArg('snapshot.rows: expected an array');
      if (!Array.isArray(snap.ids) || !snap.ids.every(isReportId)) badArg('snapshot.ids: expected an array of report ids');
      const checked = snap.rows.map((r, i) => checkRow(r, `snapshot.rows[${i}]`));
      for (const r of checked) mergeRow(rows, r);
      for (const id of snap.ids) remember(id, ids.has(id));
    },
  };
}
