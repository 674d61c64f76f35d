// The audit and consent-rate views' math, in plain JS for the dashboard (no library in the page):
// the same as readAudit and readConsentRates of cohortkit/server (test/metrics/dashboard-metrics.test.ts
// checks that they agree). Audit shares of the cohort estimates with negative ones clamped to 0,
// consent rates of the estimates as they are (unbiased near 0 and 1),
// stderrs by the delta method over the cohorts' covariance (sampling + LDP noise + GRR's noise
// covariance, as cohortCovariance in src/personalization/lift.ts), ratios by Fieller's theorem.
import { covariance } from './lift.js';

const Z = 1.959964;

const form = (w, C, v) => w.reduce((s, wi, i) => (wi ? s + wi * v.reduce((t, vj, j) => t + C[i][j] * vj, 0) : s), 0);
const clamp01 = (v) => Math.min(1, Math.max(0, v));

/** Cohort counts and covariance; with withheld cohorts (null) over the published ones only (no GRR term). */
function counts(est) {
  const k = est.cohorts.length;
  const withheld = est.cohorts.map((c, i) => (c.estimate == null ? i : -1)).filter((i) => i >= 0);
  const e = est.cohorts.map((c) => c.estimate ?? NaN);
  const n = est.n ?? e.reduce((s, x) => s + (x || 0), 0);
  const pub = e.map((_, i) => i).filter((i) => !withheld.includes(i));
  const sub = covariance(n, pub.map((i) => e[i]), pub.map((i) => est.cohorts[i].stderr));
  const C = e.map(() => new Array(k).fill(0));
  pub.forEach((i, a) => pub.forEach((j, b) => (C[i][j] = sub[a][b])));
  return { x: e.map((v) => (Number.isNaN(v) ? NaN : Math.max(0, v))), est: e, C, withheld };
}
/** Σ num / Σ den (clamped counts, or with `unclamped` the estimates: consent rates) with its delta-method stderr; rate NaN under one estimated reporter. */
function share(c, num, den, unclamped) {
  const x = unclamped ? c.est : c.x;
  const grad = new Array(c.x.length).fill(0);
  const T = den.reduce((s, i) => s + x[i], 0);
  const touches = den.some((i) => c.withheld.includes(i));
  const none = { rate: NaN, stderr: NaN, n: touches ? NaN : Math.max(0, T), ci95: [0, 1], grad };
  if (touches || !(T >= 1)) return none;
  const r = num.reduce((s, i) => s + x[i], 0) / T;
  for (const i of den) grad[i] = ((num.includes(i) ? 1 : 0) - r) / T;
  const stderr = Math.sqrt(Math.max(0, form(grad, c.C, grad)));
  return Number.isFinite(stderr) ? { rate: r, stderr, n: T, ci95: [clamp01(r - Z * stderr), clamp01(r + Z * stderr)], grad } : none;
}
function fieller(lo, vlo, hi, vhi, cov) {
  const z2 = Z * Z, bound = Math.sqrt(vlo * vhi);
  const A = hi * hi - z2 * vhi, B = lo * hi - z2 * Math.min(bound, Math.max(-bound, cov)), C = lo * lo - z2 * vlo;
  if (!(A > 0)) return [0, Infinity];
  const root = Math.sqrt(Math.max(0, B * B - A * C));
  return [Math.max(0, (B - root) / A), Math.max(0, (B + root) / A)];
}

/** Like readAudit: per-group rates, the lowest ÷ highest ratio with its interval, the flag. */
export function audit(est, threshold = 0.8) {
  const c = counts(est);
  const groups = [];
  const shares = [];
  for (let i = 0; i + 1 < est.cohorts.length; i += 2) {
    const id = est.cohorts[i].id.replace(/-in$/, '');
    const s = share(c, [i], [i, i + 1]);
    shares.push(s);
    groups.push({ id, n: s.n, rate: s.rate, stderr: s.stderr, ci95: s.ci95 });
  }
  const ok = groups.map((_, i) => i).filter((i) => Number.isFinite(groups[i].rate));
  if (ok.length < 2) return { groups, ratio: NaN, ci95: [0, Infinity], flagged: false, withheld: c.withheld.length > 0 };
  let lo = ok[0], hi = ok[0];
  for (const i of ok) {
    if (groups[i].rate < groups[lo].rate) lo = i;
    if (groups[i].rate > groups[hi].rate) hi = i;
  }
  if (lo === hi) hi = ok[1];
  const [L, H] = [shares[lo], shares[hi]];
  const ci95 = fieller(L.rate, L.stderr ** 2, H.rate, H.stderr ** 2, form(L.grad, c.C, H.grad));
  return { groups, ratio: H.rate > 0 ? L.rate / H.rate : NaN, ci95, flagged: ci95[1] < threshold, lowest: groups[lo].id, highest: groups[hi].id };
}

/** Like readConsentRates: granted / denied / unset per purpose (purposes read from the cohort ids). */
export function consentRates(est) {
  const purposes = (est.cohorts[0]?.id ?? '').split('|').map((x) => x.split(':')[0]).filter(Boolean);
  const c = counts(est);
  if (c.withheld.length) return { purposes, withheld: true };
  const all = est.cohorts.map((_, i) => i);
  const rates = {};
  purposes.forEach((p, j) => {
    rates[p] = {};
    ['unset', 'granted', 'denied'].forEach((state, s) => {
      const { rate, stderr, ci95 } = share(c, all.filter((i) => Math.floor(i / 3 ** j) % 3 === s), all, true);
      rates[p][state] = { rate, stderr, ci95 };
    });
  });
  return { purposes, rates };
}
