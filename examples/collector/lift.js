// The lift view's math, in plain JS for the dashboard (no library in the page): the same as
// readLift and planExperiment of cohortkit/server (test/experiments/dashboard-lift.test.ts checks
// that they agree). The lift from the raw cohort estimates as readLift reads it (Z·D/(D² + Var D)), stderrs by the delta method over the
// cohorts' covariance: multinomial sampling + the estimator's noise + GRR's noise covariance.
const IDS = ['holdout-converted', 'holdout-not', 'treated-converted', 'treated-not'];
const Z = 1.959963984540054 + 0.8416212335729143; // two-sided α = 0.05, power 0.8

/** Covariance of the k cohort estimates (see cohortCovariance in src/personalization/lift.ts); metrics.js uses it too. */
export function covariance(n, est, se, sampling = true) {
  const k = est.length;
  const N = est.map((e) => Math.max(0, e));
  const C = N.map((a, i) => N.map((b, j) => (i === j ? se[i] ** 2 : 0) + (sampling && n > 0 ? (i === j ? a : 0) - (a * b) / n : 0)));
  const sum = est.reduce((s, e) => s + e, 0);
  if (k > 2 && n > 0 && Math.abs(sum - n) <= 1e-6 * n) {
    const mx = N.reduce((s, v) => s + v, 0) / k;
    const y = se.map((s) => s * s);
    const my = y.reduce((s, v) => s + v, 0) / k;
    let sxx = 0, sxy = 0;
    for (let i = 0; i < k; i++) (sxx += (N[i] - mx) ** 2), (sxy += (N[i] - mx) * (y[i] - my));
    const B = sxx > 1e-9 * (1 + mx * mx) ? sxy / sxx : 0;
    const beta = B / (k - 2), alpha = (my - B * mx - beta * n) / (k - 1);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) if (i !== j) C[i][j] -= alpha + beta * (N[i] + N[j]);
  }
  return C;
}
const quad = (w, C) => Math.max(0, w.reduce((s, wi, i) => s + w.reduce((t, wj, j) => t + wi * C[i][j] * wj, 0), 0));
const fmt = (x) => {
  const r = Math.round(x * 1000) / 10;
  return `${r > 0 ? '+' : r < 0 ? '−' : ''}${Math.abs(r).toFixed(1)}`;
};

/**
 * Conversion per arm and lift of an experiment space's estimate, like readLift. Returns
 * `{ withheld: true }` when a cohort is withheld on the wire (estimate null: too small to publish).
 */
export function lift(est) {
  const cohorts = fillFallback(est);
  if (!cohorts) return { withheld: true };
  const at = IDS.map((id) => cohorts.findIndex((c) => c.id === id));
  if (at.some((i) => i < 0)) return { withheld: true };
  const e = cohorts.map((c) => c.estimate);
  const n = est.n ?? e.reduce((s, x) => s + x, 0);
  const se = cohorts.map((c) => c.stderr);
  const C = covariance(n, e, se);
  // Raw cells (never clamped); the lift as readLift reads it: Z·D/(D² + Var D), Z = tc·T_H − hc·T_T
  // (0 in expectation under A/A once the noise covariance is off), D = T_H·T_T decorrelated from Z;
  // each arm's rate the pooled rate (Beale's ratio) split by the lift.
  const [hc, hn, tc, tn] = at.map((i) => e[i]);
  const th = hc + hn, tt = tc + tn;
  const V = covariance(n, e, se, false);
  const w = (pairs) => {
    const v = new Array(cohorts.length).fill(0);
    for (const [i, g] of pairs) v[i] += g;
    return v;
  };
  const form = (a, b, M) => a.reduce((s, x, i) => s + x * b.reduce((t, y, j) => t + y * M[i][j], 0), 0);
  const wh = th > 0 ? w([[at[0], hn / th ** 2], [at[1], -hc / th ** 2]]) : null;
  const wt = tt > 0 ? w([[at[2], tn / tt ** 2], [at[3], -tc / tt ** 2]]) : null;
  const [H1, H0, T1, T0] = at;
  const eTH = w([[H1, 1], [H0, 1]]), eTT = w([[T1, 1], [T0, 1]]);
  const Z = tc * th - hc * tt - form(w([[T1, 1]]), eTH, V) + form(w([[H1, 1]]), eTT, V);
  const gZ = w([[H1, -tn], [H0, tc], [T1, hn], [T0, -hc]]), gD = w([[H1, tt], [H0, tt], [T1, th], [T0, th]]);
  const vZ = quad(gZ, C);
  const b = vZ > 0 ? form(gZ, gD, C) / vZ : 0;
  const D = th * tt - form(eTH, eTT, V) - b * Z;
  const vD = Math.max(0, quad(gD, C) - b * b * vZ);
  // No lift while D ≤ 0 (gated on D alone, which is uncorrelated with Z: as readLift).
  if (!(D > 0) || !(th + tt > 0)) {
    const arm = (c, t, g) => (g ? { rate: c / t, stderr: Math.sqrt(quad(g, C)), n: t } : { rate: 0, stderr: 0, n: 0 });
    const which = th <= 0 || (tt > 0 && th < tt) ? 'the holdout' : 'the treated';
    return { holdout: arm(hc, th, wh), treated: arm(tc, tt, wt), lift: 0, stderr: 0, ci95: [0, 0], significant: false, summary: `no lift yet: ${which} arm has ${th > 0 && tt > 0 ? 'too few visitors for the noise' : 'no visitors'}` };
  }
  const d = (Z * D) / (D * D + vD);
  const eC = w([[H1, 1], [T1, 1]]), eT = w([[H1, 1], [H0, 1], [T1, 1], [T0, 1]]);
  const pooled = ((hc + tc) * (th + tt) + form(eC, eT, V)) / ((th + tt) ** 2 + quad(eT, V));
  const stderr = Math.sqrt(quad(wh && wt ? wt.map((x, i) => x - wh[i]) : gZ.map((x, i) => (x - d * gD[i]) / D), C));
  const holdout = { rate: pooled - (tt / (th + tt)) * d, stderr: wh ? Math.sqrt(quad(wh, C)) : stderr, n: Math.max(0, th) };
  const treated = { rate: pooled + (th / (th + tt)) * d, stderr: wt ? Math.sqrt(quad(wt, C)) : stderr, n: Math.max(0, tt) };
  const ci95 = [d - 1.96 * stderr, d + 1.96 * stderr];
  const significant = ci95[0] > 0 || ci95[1] < 0;
  return { holdout, treated, lift: d, stderr, ci95, significant, summary: `${fmt(d)} pp, 95% CI ${fmt(ci95[0])} to ${fmt(ci95[1])} pp: ${significant ? 'significant' : 'not significant'}` };
}

/**
 * Eligible visitors to detect `lift` over `baseline`, half held out, α = 0.05, power 0.8, `share`
 * of the reporters eligible, for mechanism `m` = { name, p, q, d? } (createMechanism of
 * cohortkit/ldp for k = 5 and the reports' ε): like planExperiment when `epsilon` and
 * `mechanismAt(ε)` (createMechanism({ k: 5, epsilon })) are given too.
 */
export function plan({ baseline, lift: dl, share = 1, holdout = 0.5, epsilon }, m, mechanismAt) {
  const rh = baseline, rt = baseline + dl, s = share, k = 5;
  const pi = [s * holdout * rh, s * holdout * (1 - rh), s * (1 - holdout) * rt, s * (1 - holdout) * (1 - rt), 1 - s];
  const H = s * holdout, T = s * (1 - holdout);
  const w = [-pi[1] / H ** 2, pi[0] / H ** 2, pi[3] / T ** 2, -pi[2] / T ** 2, 0];
  const at = (m) => {
    const { p, q } = m, g = p - q, d = m.name === 'ss' ? m.d : 1;
    const s1 = (p * (d - 1)) / (k - 1), s2 = (p * (d - 1) * (d - 2) + (1 - p) * d * (d - 1)) / ((k - 1) * (k - 2));
    const lam = pi.map((x) => q + x * g);
    let v = 0;
    for (let i = 0; i < k; i++)
      for (let j = 0; j < k; j++) {
        const both = i === j ? lam[i] : m.name === 'oue' || m.name === 'olh' ? q * q + (pi[i] + pi[j]) * q * g : (pi[i] + pi[j]) * s1 + (1 - pi[i] - pi[j]) * s2;
        v += (w[i] * (both - lam[i] * lam[j]) * w[j]) / (g * g);
      }
    return v;
  };
  let v = at(m);
  // As planExperiment: the largest variance at any ε' ≥ ε, so where 'auto' steps from subset
  // selection (d = 2) to GRR (ε ≈ 0.693) the plan does not fall short (needs `mechanismAt(ε)`).
  const key = (x) => x.name + (x.d ?? '');
  const steps = (lo, kl, hi, kh) => {
    if (kl === kh) return;
    if (hi - lo <= 1e-12 * hi) return void (v = Math.max(v, at(mechanismAt(hi))));
    const mid = (lo + hi) / 2, km = key(mechanismAt(mid));
    steps(lo, kl, mid, km);
    steps(mid, km, hi, kh);
  };
  if (mechanismAt && epsilon < 20 && m.name !== 'olh') steps(epsilon, key(m), 20, key(mechanismAt(20)));
  const z = (Z * Z) / (dl * dl);
  return { visitors: Math.ceil(z * s * v), withoutPrivacy: Math.ceil(z * ((rh * (1 - rh)) / holdout + (rt * (1 - rt)) / (1 - holdout))) };
}

/** Least-squares line through (Nᵢ, stderrᵢ²): the estimator's variance is A + B·Nᵢ for one group. */
function fit(cs) {
  const N = cs.map((c) => Math.max(0, c.estimate)), y = cs.map((c) => c.stderr ** 2), k = cs.length;
  const mx = N.reduce((s, v) => s + v, 0) / k, my = y.reduce((s, v) => s + v, 0) / k;
  let sxx = 0, sxy = 0;
  for (let i = 0; i < k; i++) (sxx += (N[i] - mx) ** 2), (sxy += (N[i] - mx) * (y[i] - my));
  const B = sxx > 1e-9 * (1 + mx * mx) ? sxy / sxx : 0;
  return { A: my - B * mx, B };
}

/**
 * The cohorts, with a withheld `unexposed` (too small to publish) filled in for the arithmetic
 * only — never shown: n − Σ the others (the estimates of GRR and SS, 'auto' for k = 5, sum to n)
 * and the variance line of the published cohorts. Undefined when an arm's cohort is withheld.
 */
function fillFallback(est) {
  const gone = est.cohorts.filter((c) => c.estimate == null || c.stderr == null);
  if (!gone.length) return est.cohorts;
  if (gone.length > 1 || IDS.includes(gone[0].id) || est.n == null) return undefined;
  const known = est.cohorts.filter((c) => c !== gone[0]);
  const e = est.n - known.reduce((s, c) => s + c.estimate, 0);
  const { A, B } = fit(known);
  return est.cohorts.map((c) => (c === gone[0] ? { ...c, estimate: e, stderr: Math.sqrt(Math.max(0, A + B * Math.max(0, e))) } : c));
}

/**
 * ε of the reports, read from the estimate's stderrs: the variance line's intercept is
 * n·q(1 − q)/(p − q)², and under 'auto' that unit variance falls as ε grows (the client picks the
 * lowest); bisection over `mechanismAt(ε)` = createMechanism({ k, epsilon }).
 */
export function epsilonOf(est, mechanismAt) {
  const cs = fillFallback(est);
  if (!cs || !(est.n > 0)) return undefined;
  const unit = fit(cs).A / est.n;
  const at = (e) => {
    const { p, q } = mechanismAt(e);
    return (q * (1 - q)) / (p - q) ** 2;
  };
  let lo = 0.01, hi = 20;
  if (!(unit <= at(lo) && unit >= at(hi))) return undefined;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (at(mid) > unit) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
