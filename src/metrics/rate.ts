// Shared statistics of the metrics: shares of estimated counts and the ratio of two shares,
// with variances from the cohorts' full covariance (sampling + LDP noise, as readLift counts it).
import { CohortkitError } from '../errors';
import { cohortCovariance } from '../personalization/lift';

/** z for a two-sided 95% interval. */
export const Z95 = 1.959964;

/** A share with its standard error; `n` the estimated size of its denominator. */
export interface Share {
  rate: number;
  stderr: number;
  n: number;
  ci95: [number, number];
}

const bad = (path: string, what: string): never => {
  throw new CohortkitError('invalid-argument', `${path}: ${what}`);
};

/** An estimate read by {@link readCounts}: cohort ids, clamped counts, their covariance. */
export interface Counts {
  ids: string[];
  /** max(0, estimate) per cohort; NaN for a cohort withheld on the wire. */
  x: number[];
  /** The estimates as published (unbiased, may be < 0); NaN for a withheld cohort. Shares sum these. */
  est?: number[];
  /**
   * Covariance of the cohort estimates. With withheld cohorts it covers the published ones only
   * (rows of withheld cohorts are 0) and leaves out GRR's noise covariance, which needs them all.
   */
  cov?: number[][];
  /** Indices of withheld cohorts (`estimate: null` in a GET /v1/estimates body). */
  withheld: number[];
}

/**
 * Reads `estimate` (`estimator.estimate(space)` or a GET /v1/estimates body), checking every value
 * it uses, and derives the covariance of the cohort estimates (see cohortCovariance).
 * @throws CohortkitError `invalid-argument` naming the path, e.g. `estimate.cohorts[2].stderr`
 */
export function readCounts(estimate: unknown): Counts {
  const e = estimate as { cohorts?: unknown; n?: unknown } | null;
  if (typeof e !== 'object' || e === null || !Array.isArray(e.cohorts)) return bad('estimate', 'expected an estimate { n, cohorts: [...] }');
  const ids: string[] = [];
  const raw: number[] = [];
  const se: number[] = [];
  const withheld: number[] = [];
  (e.cohorts as unknown[]).forEach((c, i) => {
    const p = `estimate.cohorts[${i}]`;
    if (typeof c !== 'object' || c === null) return bad(p, 'expected an object');
    const { id, estimate: x, stderr: s } = c as Record<string, unknown>;
    if (typeof id !== 'string') return bad(`${p}.id`, 'expected a string');
    ids.push(id);
    if (x === null) return withheld.push(i), raw.push(NaN), se.push(NaN);
    if (typeof x !== 'number' || !Number.isFinite(x)) return bad(`${p}.estimate`, 'expected a finite number or null');
    if (typeof s !== 'number' || !Number.isFinite(s) || s < 0) return bad(`${p}.stderr`, 'expected a finite number ≥ 0');
    raw.push(x), se.push(s);
  });
  const n = e.n ?? raw.reduce((a, b) => a + (b || 0), 0);
  if (typeof n !== 'number' || !(n >= 0) || n === Infinity) bad('estimate.n', 'expected a finite number ≥ 0');
  const x = raw.map((v) => (Number.isNaN(v) ? NaN : Math.max(0, v)));
  if (!withheld.length) return { ids, x, est: raw, withheld, cov: cohortCovariance(n as number, raw, se) };
  // Published cohorts only: sampling + their own noise (their estimates no longer sum to n, so
  // cohortCovariance adds no GRR term); embedded in k × k with zeros for the withheld.
  const pub = ids.map((_, i) => i).filter((i) => !withheld.includes(i));
  const sub = cohortCovariance(n as number, pub.map((i) => raw[i]!), pub.map((i) => se[i]!));
  const cov = ids.map(() => new Array<number>(ids.length).fill(0));
  pub.forEach((i, a) => pub.forEach((j, b) => (cov[i]![j] = sub[a]![b]!)));
  return { ids, x, est: raw, withheld, cov };
}

/** w'·C·v */
const form = (w: number[], C: number[][], v: number[]): number => {
  let s = 0;
  for (let i = 0; i < w.length; i++) if (w[i]) for (let j = 0; j < v.length; j++) s += w[i]! * C[i]![j]! * v[j]!;
  return s;
};

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

/** A share and its gradient over the cohorts (for covariances between shares). */
export interface ShareWithGradient extends Share {
  grad: number[];
}

/**
 * The share Σ_{i∈num} xᵢ / Σ_{i∈den} xᵢ (num ⊆ den) of clamped counts, or with `unclamped` of the
 * estimates as published (`est`): over many cohorts, clamping each at 0 clips only the low side of
 * the noise of the near-empty ones, so a share near 1 reads low (0.853 for a true 0.9 at k = 9,
 * ε = 1, n = 2000); unclamped, the rate is unbiased and may fall just outside [0, 1] by noise (its
 * ci95 is clipped). Its variance is the delta
 * method over the cohort covariance: gradient (1[i∈num] − r)/T on `den`. With T < 1 (under one estimated
 * reporters) the share is not estimable: rate NaN, ci95 [0, 1].
 */
export function shareOf(c: Counts, num: number[], den: number[], unclamped?: boolean): ShareWithGradient {
  const x = (unclamped && c.est) || c.x;
  const grad = new Array<number>(c.x.length).fill(0);
  const T = den.reduce((s, i) => s + x[i]!, 0);
  const touchesWithheld = den.some((i) => c.withheld.includes(i));
  const none = { rate: NaN, stderr: NaN, n: touchesWithheld ? NaN : Math.max(0, T), ci95: [0, 1] as [number, number], grad };
  if (!c.cov || touchesWithheld || !(T >= 1)) return none; // withheld, or fewer than one estimated reporter
  const r = num.reduce((s, i) => s + x[i]!, 0) / T;
  for (const i of den) grad[i] = ((num.includes(i) ? 1 : 0) - r) / T;
  const stderr = Math.sqrt(Math.max(0, form(grad, c.cov, grad)));
  if (!Number.isFinite(stderr)) return none;
  return { rate: r, stderr, n: T, ci95: [clamp01(r - Z95 * stderr), clamp01(r + Z95 * stderr)], grad };
}

/** Covariance of two shares of the same estimate. */
export const shareCovariance = (c: Counts, a: ShareWithGradient, b: ShareWithGradient): number => (c.cov ? form(a.grad, c.cov, b.grad) : NaN);

/**
 * 95% interval of the ratio lo/hi of two estimates (variances vlo, vhi, covariance c) by Fieller's
 * theorem: the ρ with (lo − ρ·hi)² ≤ z²·(vlo − 2ρ·c + ρ²·vhi). Bounded only when hi is clearly
 * above 0 (hi² > z²·vhi); otherwise [0, Infinity]: the data cannot bound the ratio. Ratios of
 * shares are ≥ 0, so the lower bound is clamped at 0.
 */
export function fiellerRatio(lo: number, vlo: number, hi: number, vhi: number, c = 0): [number, number] {
  const z2 = Z95 * Z95;
  const bound = Math.sqrt(vlo * vhi); // Cauchy–Schwarz: keeps a rounded covariance consistent
  const A = hi * hi - z2 * vhi;
  const B = lo * hi - z2 * Math.min(bound, Math.max(-bound, c));
  const C = lo * lo - z2 * vlo;
  if (!(A > 0)) return [0, Infinity];
  const root = Math.sqrt(Math.max(0, B * B - A * C));
  return [Math.max(0, (B - root) / A), Math.max(0, (B + root) / A)];
}
