// readLift: conversion per arm and the lift, with an interval that counts both the sampling
// variance of the conversions and the LDP noise, including the covariance between cohorts.
import { CohortkitError } from '../errors';

/** Conversion of one arm: `rate` = converted ÷ (converted + not), `n` = estimated arm size. */
export interface ArmRate {
  rate: number;
  stderr: number;
  n: number;
}

export interface Lift {
  holdout: ArmRate;
  treated: ArmRate;
  /** treated rate − holdout rate (absolute, as a fraction: 0.043 = +4.3 pp). */
  lift: number;
  stderr: number;
  ci95: [number, number];
  /** The 95% interval excludes 0. */
  significant: boolean;
  /** e.g. "+4.3 pp, 95% CI −2.6 to +11.3 pp: not significant". */
  summary: string;
}

/** What readLift reads: an estimator's (or the collector's) estimate of an `experiment-*` space. */
export interface LiftInput {
  /** Reports in the estimate; default Σ estimates. */
  n?: number;
  cohorts: Array<{ id: string; estimate: number; stderr: number }>;
}

function fail(msg: string): never {
  throw new CohortkitError('invalid-argument', msg);
}

/** Least-squares line y = a + b·x (b = 0 when the x are all equal). */
function fitLine(x: number[], y: number[]): { a: number; b: number } {
  const k = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / k;
  const my = y.reduce((s, v) => s + v, 0) / k;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < k; i++) (sxx += (x[i] - mx) ** 2), (sxy += (x[i] - mx) * (y[i] - my));
  const b = sxx > 1e-9 * (1 + mx * mx) ? sxy / sxx : 0;
  return { a: my - b * mx, b };
}

/**
 * Covariance of the k cohort estimates of one space over n reporters, counting both sources:
 * - sampling: the reporters are a sample, so the true counts are multinomial,
 *   Cov(Nᵢ, Nⱼ) = δᵢⱼ·Nᵢ − Nᵢ·Nⱼ/n (per arm, that is the binomial variance of its conversions);
 * - noise: the estimator's own variances (stderrᵢ²) on the diagonal. For a mechanism whose reports
 *   support a fixed number of cohorts (GRR, subset selection) the estimates sum to n exactly, so
 *   their noise is negatively correlated: Cov = −(α + β·(Nᵢ + Nⱼ)), with α and β derived from the
 *   stderrs (variance = A + B·Nᵢ, so β = B/(k−2), α = (A − β·n)/(k−1); for GRR that is n·q²/(p−q)²
 *   and q/(p−q)). OUE and OLH support each cohort independently given the truth: no noise
 *   covariance. Nᵢ = max(0, estimateᵢ), as in the estimator's variance.
 * `fixedCount` says which kind the reports are; by default it is inferred: true when the estimates
 * sum to n (to 1e-6), which GRR's always do and OUE's or OLH's practically never.
 * `sampling: false` leaves the sampling part out (the noise covariance alone).
 */
export function cohortCovariance(n: number, estimates: number[], stderrs: number[], fixedCount?: boolean, sampling = true): number[][] {
  const k = estimates.length;
  const N = estimates.map((e) => Math.max(0, e));
  const C = N.map((a, i) => N.map((b, j) => (i === j ? stderrs[i] ** 2 : 0) + (sampling && n > 0 ? (i === j ? a : 0) - (a * b) / n : 0)));
  const sum = estimates.reduce((s, e) => s + e, 0);
  if (k > 2 && n > 0 && (fixedCount ?? Math.abs(sum - n) <= 1e-6 * n)) {
    const { a: A, b: B } = fitLine(N, stderrs.map((s) => s * s));
    const beta = B / (k - 2);
    const alpha = (A - beta * n) / (k - 1);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) if (i !== j) C[i][j] -= alpha + beta * (N[i] + N[j]);
  }
  return C;
}

/** aᵀ·M·b. */
const form = (a: number[], b: number[], M: number[][]) => a.reduce((s, x, i) => s + x * b.reduce((t, y, j) => t + y * M[i]![j]!, 0), 0);
/** wᵀ·C·w, a variance (never below 0). */
const quad = (w: number[], C: number[][]): number => Math.max(0, form(w, w, C));

/** Percentage points with one decimal and a sign: +4.3, −2.6, 0.0. */
export function formatPP(x: number): string {
  const r = Math.round(x * 1000) / 10;
  return `${r > 0 ? '+' : r < 0 ? '−' : ''}${Math.abs(r).toFixed(1)}`;
}

export interface LiftOptions {
  /**
   * The mechanism of the reports, when known: `grr` (or `ss`) adds the noise covariance of a
   * fixed-count mechanism, `oue` and `olh` do not. Default: inferred from the estimate (GRR, the
   * client's 'auto' choice for the 5 cohorts of an experiment, is recognized by Σ estimates = n).
   */
  mechanism?: 'grr' | 'oue' | 'olh' | 'ss';
}

/**
 * A published estimate may withhold its `unexposed` cohort (too small). It is not needed for the
 * lift itself, only for the covariance: for OUE and OLH it is dropped; for GRR and subset
 * selection ('auto' for k = 5, and the default) it is n − Σ the others (their estimates sum to n)
 * with the variance line of the published cohorts — nothing the wire did not already imply.
 */
function fillWithheld(cohorts: LiftInput['cohorts'], gone: LiftInput['cohorts'][number], n: number, mech?: string): LiftInput['cohorts'] {
  const known = cohorts.filter((c) => c !== gone);
  if (mech === 'oue' || mech === 'olh') return known;
  const e = n - known.reduce((s, c) => s + c.estimate, 0);
  const { a, b } = fitLine(known.map((c) => Math.max(0, c.estimate)), known.map((c) => c.stderr ** 2));
  return cohorts.map((c) => (c === gone ? { id: c.id, estimate: e, stderr: Math.sqrt(Math.max(0, a + b * Math.max(0, e))) } : c));
}

export const LIFT_COHORTS = ['holdout-converted', 'holdout-not', 'treated-converted', 'treated-not'] as const;

/**
 * Conversion per arm and lift with a 95% interval, from `estimator.estimate('experiment-<id>')`.
 * From the raw cohort estimates (a negative one is not clamped): the lift is Z·D/(D² + Var D) with
 * Z = tc·T_H − hc·T_T, whose expectation is 0 under A/A whatever the arms' sizes, and D = T_H·T_T
 * made uncorrelated with it (below); each arm's rate is the pooled rate split by the lift. An arm
 * whose estimated size is ≤ 0 gives "no lift yet". Stderrs by the delta method over
 * {@link cohortCovariance} (sampling + LDP noise + the noise covariance of GRR).
 * Throws `invalid-argument` when a cohort of the experiment is missing or not a number, or an
 * arm's cohort is withheld on the wire (a withheld `unexposed` is handled, see fillWithheld).
 */
export function readLift(estimate: LiftInput, options: LiftOptions = {}): Lift {
  const mech = (options as LiftOptions | null)?.mechanism;
  if (mech !== undefined && !['grr', 'oue', 'olh', 'ss'].includes(mech)) fail('options.mechanism: expected grr, oue, olh or ss');
  const given = (estimate as LiftInput | null)?.cohorts;
  if (!Array.isArray(given)) fail('estimate.cohorts: expected an array (an estimate of an experiment space)');
  const n0 = estimate.n;
  if (n0 !== undefined && (typeof n0 !== 'number' || !(n0 >= 0) || n0 === Infinity)) fail('estimate.n: expected a finite number ≥ 0');
  const withheld = given.filter((c) => c?.estimate === null && c.stderr === null);
  given.forEach((c, i) => {
    if (withheld.includes(c)) {
      if (LIFT_COHORTS.includes(c.id as never)) fail(`estimate.cohorts[${i}]: ${c.id} is withheld on the wire (too small to publish): no lift can be read; read the estimator's raw estimate`);
      if (withheld.length > 1 || n0 === undefined) fail(`estimate.cohorts[${i}].estimate: expected a finite number (withheld)`);
      return;
    }
    if (typeof c?.estimate !== 'number' || !Number.isFinite(c.estimate)) fail(`estimate.cohorts[${i}].estimate: expected a finite number`);
    if (typeof c.stderr !== 'number' || !(c.stderr >= 0) || c.stderr === Infinity) fail(`estimate.cohorts[${i}].stderr: expected a finite number ≥ 0`);
  });
  const cohorts = withheld.length ? fillWithheld(given, withheld[0], n0 as number, mech) : given;
  const at = LIFT_COHORTS.map((id) => {
    const i = cohorts.findIndex((c) => c.id === id);
    return i >= 0 ? i : fail(`estimate.cohorts: no cohort ${id} (not an experiment space?)`);
  });
  const est = cohorts.map((c) => c.estimate);
  const n = n0 ?? est.reduce((s, e) => s + e, 0);
  const se = cohorts.map((c) => c.stderr);
  const fixed = mech && (mech === 'grr' || mech === 'ss');
  const C = cohortCovariance(n, est, se, fixed);
  // The raw (unbiased) cell estimates, never clamped: clamping a small arm's negative cell to 0
  // biased its rate towards ½, so an A/A experiment with unequal arms showed a lift.
  const [hc, hn, tc, tn] = at.map((i) => est[i]);
  const th = hc + hn;
  const tt = tc + tn;
  const V = cohortCovariance(n, est, se, fixed, false);
  // Gradients of each rate a/(a+b) over the k cohorts: ∂/∂a = b/t², ∂/∂b = −a/t².
  const grad = (pairs: Array<[number, number]>) => {
    const w = new Array<number>(cohorts.length).fill(0);
    for (const [i, g] of pairs) w[i] += g;
    return w;
  };
  const wh = th > 0 ? grad([[at[0], hn / th ** 2], [at[1], -hc / th ** 2]]) : undefined;
  const wt = tt > 0 ? grad([[at[2], tn / tt ** 2], [at[3], -tc / tt ** 2]]) : undefined;
  // A rate a/t of noisy estimates is biased (≈ (r·Var t − Cov(a, t))/t²), more in the smaller arm,
  // so treated − holdout of two such rates shows a lift on an A/A experiment with unequal arms (and
  // clamping negative cells made it worse). The lift is read from Z = tc·T_H − hc·T_T instead, whose
  // expectation under A/A is exactly 0 (multinomial cells: E[tc·T_H] = E[hc·T_T]) once the noise
  // covariance is taken off, over D = T_H·T_T made uncorrelated with Z (to first order, Gaussian:
  // independent), so E[Z·D/(D² + Var D)] = E[Z]·E[D/(D² + Var D)] = 0 under A/A; ≈ Z/D, the rates'
  // difference, once the arms are large, and bounded when D is near 0.
  const [H1, H0, T1, T0] = at as [number, number, number, number];
  const eTH = grad([[H1, 1], [H0, 1]]);
  const eTT = grad([[T1, 1], [T0, 1]]);
  const Z = tc * th - hc * tt - form(grad([[T1, 1]]), eTH, V) + form(grad([[H1, 1]]), eTT, V);
  const gZ = grad([[H1, -tn], [H0, tc], [T1, hn], [T0, -hc]]);
  const gD = grad([[H1, tt], [H0, tt], [T1, th], [T0, th]]);
  const vZ = quad(gZ, C);
  const b = vZ > 0 ? form(gZ, gD, C) / vZ : 0;
  const D = th * tt - form(eTH, eTT, V) - b * Z;
  const vD = Math.max(0, quad(gD, C) - b * b * vZ);
  const lift = (Z * D) / (D * D + vD);
  // No lift while D ≤ 0 (an arm has no visitors, or too few for the noise). Gated on D alone,
  // which is uncorrelated with Z, so leaving those runs out biases nothing (gating on the arms'
  // sizes did: a ~5 pp A/A lift at arms of ~40 visitors, ε = 1).
  if (!(D > 0) || !(th + tt > 0)) {
    // The arm that has visitors keeps its own rate.
    const arm = (c: number, t: number, w?: number[]): ArmRate => (w ? { rate: c / t, stderr: Math.sqrt(quad(w, C)), n: t } : { rate: 0, stderr: 0, n: 0 });
    const summary = `no lift yet: ${th <= 0 || (tt > 0 && th < tt) ? 'the holdout' : 'the treated'} arm has ${th > 0 && tt > 0 ? 'too few visitors for the noise' : 'no visitors'}`;
    return { holdout: arm(hc, th, wh), treated: arm(tc, tt, wt), lift: 0, stderr: 0, ci95: [0, 0], significant: false, summary };
  }
  // Each arm's rate: the pooled rate (Beale's ratio over both arms, the steadiest figure there is)
  // split by the lift, so treated − holdout = lift and their mean weighted by arm size is the pooled rate.
  const eC = grad([[H1, 1], [T1, 1]]);
  const eT = grad([[H1, 1], [H0, 1], [T1, 1], [T0, 1]]);
  const pooled = ((hc + tc) * (th + tt) + form(eC, eT, V)) / ((th + tt) ** 2 + quad(eT, V));
  // The lift's stderr by the delta method: over the rates' gradients when both arms have visitors,
  // else over Z/D's, (∇Z − lift·∇D)/D (an arm of estimated size ≤ 0 reads n 0 and that stderr).
  const stderr = Math.sqrt(quad(wh && wt ? wt.map((x, i) => x - wh[i]!) : gZ.map((x, i) => (x - lift * gD[i]!) / D), C));
  const holdout: ArmRate = { rate: pooled - (tt / (th + tt)) * lift, stderr: wh ? Math.sqrt(quad(wh, C)) : stderr, n: Math.max(0, th) };
  const treated: ArmRate = { rate: pooled + (th / (th + tt)) * lift, stderr: wt ? Math.sqrt(quad(wt, C)) : stderr, n: Math.max(0, tt) };
  const ci95: [number, number] = [lift - 1.96 * stderr, lift + 1.96 * stderr];
  const significant = ci95[0] > 0 || ci95[1] < 0;
  const summary = `${formatPP(lift)} pp, 95% CI ${formatPP(ci95[0])} to ${formatPP(ci95[1])} pp: ${significant ? 'significant' : 'not significant'}`;
  return { holdout, treated, lift, stderr, ci95, significant, summary };
}
