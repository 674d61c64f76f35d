import { eachSupport, mechanismParams } from '../../privacy/index';
import { subsetSize } from '../../privacy/subset';
import type { CohortSpace, LDPReport, MechanismName } from '../../types';
import { NUMERIC_MIN_EPSILON, spaceVersion } from './validate-report';

/**
 * Sufficient statistics of one group of reports: everything the estimator needs, and it sums
 * across collectors. Keyed by (space, spaceVersion, epoch, mechanism, k, epsilon, g).
 */
export interface StatsRow {
  space: string;
  spaceVersion: number;
  epoch: number;
  mechanism: MechanismName;
  k: number;
  epsilon: number;
  /** OLH hash range; 0 for GRR and OUE. */
  g: number;
  /** Number of reports. */
  n: number;
  /** support[i]: how many of the reports support cohort i (length k). */
  support: number[];
}

/** The key fields of a row. */
export type StatsKey = Omit<StatsRow, 'n' | 'support'>;

export interface CohortEstimate {
  id: string;
  /** Unbiased estimate of how many reporters are in the cohort (may be negative). */
  estimate: number;
  stderr: number;
  ci95: [number, number];
  /** `minCount` given and ci95[0] < minCount (or the interval not finite). */
  suppressed: boolean;
}

export interface EstimateResult {
  space: string;
  epoch?: number;
  n: number;
  cohorts: CohortEstimate[];
}

export interface EstimateOptions {
  minCount?: number;
  /** Default: the most recent epoch that has reports. */
  epoch?: number;
}

/** The row key as a string: `space|spaceVersion|epoch|mechanism|k|epsilon|g`. */
export const rowKey = (r: StatsKey): string =>
  `${r.space}|${r.spaceVersion}|${r.epoch}|${r.mechanism}|${r.k}|${r.epsilon}|${r.g}`;

const rowFor = (rows: Map<string, StatsRow>, key: StatsKey): StatsRow => {
  const id = rowKey(key);
  let row = rows.get(id);
  if (!row) {
    const { space, spaceVersion, epoch, mechanism, k, epsilon, g } = key;
    row = { space, spaceVersion, epoch, mechanism, k, epsilon, g, n: 0, support: new Array<number>(k).fill(0) };
    rows.set(id, row);
  }
  return row;
};

/** Adds one validated report to `rows` (keyed by {@link rowKey}) and returns its row. */
export function addToRows(rows: Map<string, StatsRow>, report: LDPReport): StatsRow {
  const { space, spaceVersion, epoch, mechanism, k, epsilon } = report;
  const g = mechanism === 'olh' ? (report as { g: number }).g : 0;
  const row = rowFor(rows, { space, spaceVersion, epoch, mechanism, k, epsilon, g });
  row.n++;
  eachSupport(report, row.k, (i) => row.support[i]++);
  return row;
}

/** Adds the counts of `row` into `rows` (same key: counts summed). Does not keep a reference to `row`. */
export function mergeRow(rows: Map<string, StatsRow>, row: StatsRow): StatsRow {
  const into = rowFor(rows, row);
  into.n += row.n;
  row.support.forEach((s, i) => (into.support[i] += s));
  return into;
}

/**
 * p − q of a group, written with 1 − e^−ε = −expm1(−ε): subtracting the two probabilities loses
 * every digit once e^−ε rounds to 1 (ε ≲ 1e-16), and p − q = 0 made the estimates NaN.
 */
export function supportGap(mechanism: MechanismName, k: number, epsilon: number, g: number): number {
  const x = -Math.expm1(-epsilon);
  const d = 1 - x;
  if (mechanism === 'grr') return x / (1 + (k - 1) * d);
  if (mechanism === 'oue') return x / (2 * (1 + d));
  if (mechanism === 'olh') return ((g - 1) * x) / (g * (1 + (g - 1) * d));
  const s = subsetSize(k, epsilon);
  return (s * (k - s) * x) / ((k - 1) * (s + (k - s) * d));
}

const MECHANISMS = new Set<string>(['grr', 'oue', 'olh', 'ss'] satisfies MechanismName[]);

/**
 * A row as {@link addToRows} writes it: a known mechanism (OLH with a range g ≥ 2, else p − q = 0),
 * a finite ε and n, and a support of k finite counts ≥ 0.
 */
export const wellFormed = (r: StatsRow): boolean =>
  MECHANISMS.has(r.mechanism) &&
  (r.mechanism !== 'olh' || (Number.isSafeInteger(r.g) && r.g >= 2)) &&
  Number.isFinite(r.n) &&
  Number.isFinite(r.epsilon) &&
  Array.isArray(r.support) &&
  r.support.length === r.k &&
  r.support.every((x) => Number.isFinite(x) && x >= 0);

/**
 * Estimates cohort sizes of `space` from sufficient statistics. Rows of other spaces, versions,
 * k or epochs are ignored; rows with the same key are summed first. Per group (mechanism, ε, g):
 * est_i = (support_i − n·q)/(p − q), variance = n·q(1−q)/(p−q)² + max(0, est_i)·(1−p−q)/(p−q);
 * group estimates and variances are summed. Cohorts come in order, the fallback last. Rows of an
 * ε below {@link NUMERIC_MIN_EPSILON} (no estimator accepts their reports) are ignored, and so are
 * rows no estimator writes ({@link wellFormed}: a hand-edited or hostile store made every cohort NaN).
 */
export function estimateFromRows(rows: Iterable<StatsRow>, space: CohortSpace, opts: EstimateOptions = {}): EstimateResult {
  const k = space.cohorts.length + 1;
  const ver = spaceVersion(space);
  const mine: StatsRow[] = [];
  for (const r of rows) if (r?.space === space.id && r.spaceVersion === ver && r.k === k && r.n > 0 && r.epsilon >= NUMERIC_MIN_EPSILON && wellFormed(r)) mine.push(r);
  let epoch = opts.epoch;
  if (epoch === undefined) for (const r of mine) if (epoch === undefined || r.epoch > epoch) epoch = r.epoch;
  const groups = new Map<string, StatsRow>();
  for (const r of mine) if (r.epoch === epoch) mergeRow(groups, r);
  const est = new Array<number>(k).fill(0);
  const vari = new Array<number>(k).fill(0);
  let n = 0;
  for (const r of groups.values()) {
    const { p, q } = mechanismParams(r.mechanism, k, r.epsilon, r.g);
    const gap = supportGap(r.mechanism, k, r.epsilon, r.g);
    n += r.n;
    for (let i = 0; i < k; i++) {
      const e = (r.support[i] - r.n * q) / gap;
      est[i] += e;
      vari[i] += (r.n * q * (1 - q)) / (gap * gap) + (Math.max(0, e) * (1 - p - q)) / gap;
    }
  }
  const { minCount } = opts;
  const cohorts = [...space.cohorts.map((c) => c.id), space.fallback].map((id, i): CohortEstimate => {
    const stderr = Math.sqrt(Math.max(0, vari[i]));
    const ci95: [number, number] = [est[i] - 1.96 * stderr, est[i] + 1.96 * stderr];
    // Written so that an interval that is not finite is always suppressed (NaN < minCount is false).
    return { id, estimate: est[i], stderr, ci95, suppressed: !(minCount === undefined ? Number.isFinite(stderr) : ci95[0] >= minCount) };
  });
  return epoch === undefined ? { space: space.id, n, cohorts } : { space: space.id, epoch, n, cohorts };
}
