// planExperiment: how many eligible visitors an experiment needs, with the LDP noise priced in.
import { CohortkitError } from '../errors';
import { createMechanism, mechanismParams } from '../privacy/mechanisms';
import type { MechanismName } from '../types';

export interface PlanOptions {
  /** Conversion rate of the holdout arm, in (0, 1). */
  baseline: number;
  /** Absolute lift to detect (0.02 = +2 pp), non-zero, with baseline + lift in [0, 1]. */
  lift: number;
  /** ε of the experiment space's reports. */
  epsilon: number;
  /** Held-out share of eligible visitors, in (0, 1); default 0.5. */
  holdout?: number;
  /** Two-sided significance level, in (0, 1); default 0.05. */
  alpha?: number;
  /** Power, in (alpha/2, 1); default 0.8. */
  power?: number;
  /** Default 'auto': the client's choice for k = 5 (GRR, or subset selection at small ε). */
  mechanism?: 'auto' | MechanismName;
  /**
   * Share of the space's reporters that are in an arm, in (0, 1]; default 1. The others report
   * `unexposed`: they add noise to every cohort but no signal, so fewer eligible reporters cost
   * more eligible visitors.
   */
  eligibleShare?: number;
}

export interface ExperimentPlan {
  /** Eligible visitors needed, both arms together. */
  visitors: number;
  perArm: { holdout: number; treated: number };
  /** The same test on exact (un-noised) counts. */
  withoutPrivacy: number;
  /** Reporters of the space needed: visitors ÷ eligibleShare. */
  reporters: number;
  mechanism: MechanismName;
}

const fail = (path: string, expected: string, got: unknown): never => {
  throw new CohortkitError('invalid-argument', `${path}: expected ${expected}, got ${typeof got === 'number' ? got : JSON.stringify(got) ?? String(got)}`);
};
const num = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** Inverse of the standard normal CDF (Acklam's rational approximation, one Halley step). */
export function normalQuantile(p: number): number {
  const a = [-39.6968302866538, 220.946098424521, -275.928510446969, 138.357751867269, -30.6647980661472, 2.50662827745924];
  const b = [-54.4760987982241, 161.585836858041, -155.698979859887, 66.8013118877197, -13.2806815528857];
  const c = [-0.00778489400243029, -0.322396458041136, -2.40075827716184, -2.54973253934373, 4.37466414146497, 2.93816398269878];
  const d = [0.00778469570904146, 0.32246712907004, 2.445134137143, 3.75440866190742];
  const lo = 0.02425;
  let x: number;
  if (p < lo || p > 1 - lo) {
    const q = Math.sqrt(-2 * Math.log(p < lo ? p : 1 - p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    if (p > 1 - lo) x = -x;
  } else {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
  const e = normalCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/** Standard normal CDF (erfc by a Chebyshev fit, |error| < 1.2e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - r / 2 : r / 2;
}

/**
 * Per reporter, the variance of the estimated lift (Var × reporters), sampling and LDP noise
 * together, for cell shares π of the 5 cohorts (holdout-c, holdout-n, treated-c, treated-n,
 * unexposed) and gradient w. A reporter's support vector X has E[Xᵢ] = λᵢ = q + πᵢ(p − q), and the
 * estimates Cov = n·Cov(X)/(p − q)², Cov(X)ᵢⱼ = E[XᵢXⱼ] − λᵢλⱼ with, for i ≠ j:
 * - OUE, OLH (each cohort supported independently given the truth): E[XᵢXⱼ] = q² + (πᵢ + πⱼ)q(p − q);
 * - subset selection of d cohorts (GRR is d = 1): E[XᵢXⱼ] = (πᵢ + πⱼ)·s₁ + (1 − πᵢ − πⱼ)·s₂ with
 *   s₁ = p(d − 1)/(k − 1) and s₂ = (p(d − 1)(d − 2) + (1 − p)d(d − 1))/((k − 1)(k − 2)).
 * Without `mech`: exact counts, Cov = diag(π) − ππᵀ.
 */
function liftVariance(pi: number[], w: number[], mech?: { name: MechanismName; p: number; q: number; d?: number }): number {
  const k = pi.length;
  let v = 0;
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      let c: number;
      if (!mech) c = (i === j ? pi[i] : 0) - pi[i] * pi[j];
      else {
        const { p, q } = mech;
        const g = p - q;
        const li = q + pi[i] * g;
        const lj = q + pi[j] * g;
        let both = li;
        if (i !== j) {
          if (mech.name === 'oue' || mech.name === 'olh') both = q * q + (pi[i] + pi[j]) * q * g;
          else {
            const d = mech.name === 'ss' ? mech.d ?? 1 : 1;
            const s1 = (p * (d - 1)) / (k - 1);
            const s2 = (p * (d - 1) * (d - 2) + (1 - p) * d * (d - 1)) / ((k - 1) * (k - 2));
            both = (pi[i] + pi[j]) * s1 + (1 - pi[i] - pi[j]) * s2;
          }
        }
        c = (both - li * lj) / (g * g);
      }
      v += w[i] * c * w[j];
    }
  return v;
}

function check(o: PlanOptions) {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) fail('options', 'an object', o);
  for (const key of Object.keys(o)) if (!KEYS.includes(key)) fail(`options.${key}`, `one of ${KEYS.join(', ')}`, 'an unknown option');
  const { baseline, lift, epsilon, holdout = 0.5, alpha = 0.05, power = 0.8, mechanism = 'auto', eligibleShare = 1 } = o;
  if (!num(baseline) || !(baseline > 0 && baseline < 1)) fail('baseline', 'a number in (0, 1)', baseline);
  if (!num(lift) || lift === 0) fail('lift', 'a non-zero number (absolute: 0.02 = +2 pp)', lift);
  if (!(baseline + lift >= 0 && baseline + lift <= 1)) fail('lift', `baseline + lift in [0, 1] (baseline ${baseline})`, lift);
  if (!num(epsilon) || !(epsilon > 0)) fail('epsilon', 'a finite number > 0', epsilon);
  if (!num(holdout) || !(holdout > 0 && holdout < 1)) fail('holdout', 'a share in (0, 1)', holdout);
  if (!num(alpha) || !(alpha > 0 && alpha < 1)) fail('alpha', 'a number in (0, 1)', alpha);
  if (!num(power) || !(power > alpha / 2 && power < 1)) fail('power', 'a number in (alpha/2, 1)', power);
  if (!num(eligibleShare) || !(eligibleShare > 0 && eligibleShare <= 1)) fail('eligibleShare', 'a share in (0, 1]', eligibleShare);
  if (!['auto', 'grr', 'oue', 'olh', 'ss'].includes(mechanism as string)) fail('mechanism', 'auto, grr, oue, olh or ss', mechanism);
  return { baseline, lift, epsilon, holdout, alpha, power, mechanism, eligibleShare };
}
const KEYS = ['baseline', 'lift', 'epsilon', 'holdout', 'alpha', 'power', 'mechanism', 'eligibleShare'];

/**
 * Variance of the estimated lift times the number of eligible visitors, with the LDP noise
 * (`privacy`) and on exact counts (`withoutPrivacy`): divide by the visitors to get Var(lift).
 * Validates like {@link planExperiment}; `alpha` and `power` are not used.
 */
export function experimentVariance(o: PlanOptions): { privacy: number; withoutPrivacy: number; mechanism: MechanismName; envelope(): number } {
  const { baseline: rh, lift, epsilon, holdout, mechanism, eligibleShare: s } = check(o);
  const m = createMechanism({ k: 5, epsilon, mechanism });
  const rt = rh + lift;
  const pi = [s * holdout * rh, s * holdout * (1 - rh), s * (1 - holdout) * rt, s * (1 - holdout) * (1 - rt), 1 - s];
  // ∂lift/∂(cohort share) at the truth, per reporter: rate a/(a+b) has gradient (b, −a)/(a+b)².
  const H = s * holdout;
  const T = s * (1 - holdout);
  const w = [-pi[1] / H ** 2, pi[0] / H ** 2, pi[3] / T ** 2, -pi[2] / T ** 2, 0];
  // Var(lift) over N reporters is liftVariance/N with N = visitors/s: per eligible visitor, × s.
  return {
    privacy: s * liftVariance(pi, w, m),
    // The largest variance at any ε' ≥ ε. With one configuration (mechanism, d, g) the variance
    // falls as ε grows, but where the client's configuration steps it can jump up: OLH's
    // g = round(e^ε + 1) at each ε' = ln(g − ½) (a little, less at each step), and 'auto' / 'ss' at
    // ε ≈ 0.693, where subset selection's d = 2 gives way to d = 1 (GRR) — up to 10%. So the right
    // limit at each step above ε counts too.
    envelope: () => {
      const at = (x: { name: MechanismName; p: number; q: number; d?: number }) => s * liftVariance(pi, w, x);
      let v = at(m);
      if (m.name === 'olh') {
        for (let g = m.g ?? 2, i = 0; i < 64 && g < 2 ** 32; g++, i++) {
          const b = Math.log(g - 0.5);
          if (!(b >= epsilon)) continue;
          const u = at({ name: 'olh', ...mechanismParams('olh', 5, b, g + 1) });
          if (u <= v) break;
          v = u;
        }
        return v;
      }
      // Steps of (mechanism, d) in (ε, 20], by bisection (for k = 5 there is at most one).
      const cfg = (e: number) => createMechanism({ k: 5, epsilon: e, mechanism });
      const key = (x: { name: string; d?: number }) => x.name + (x.d ?? '');
      const steps = (lo: number, kl: string, hi: number, kh: string): void => {
        if (kl === kh) return;
        if (hi - lo <= 1e-12 * hi) return void (v = Math.max(v, at(cfg(hi))));
        const mid = (lo + hi) / 2;
        const km = key(cfg(mid));
        steps(lo, kl, mid, km);
        steps(mid, km, hi, kh);
      };
      if (epsilon < 20) steps(epsilon, key(m), 20, key(cfg(20)));
      return v;
    },
    withoutPrivacy: (rh * (1 - rh)) / holdout + (rt * (1 - rt)) / (1 - holdout),
    mechanism: m.name,
  };
}

/**
 * Eligible visitors (both arms) for a two-sided z-test at `alpha` with `power` to detect an
 * absolute `lift` over `baseline`, counting the LDP variance of the experiment's 5-cohort space at
 * `epsilon` (delta method, the same variance `readLift` reports). `withoutPrivacy` is the same test
 * on exact counts, so `visitors ≥ withoutPrivacy`. Where the client's configuration steps with ε
 * (OLH's g = round(e^ε + 1); 'auto' / 'ss' going from d = 2 to GRR at ε ≈ 0.693) the variance jumps
 * up, so the plan uses its upper envelope, the largest variance at any ε' ≥ ε: never too few at ε,
 * and visitors fall as ε grows. Throws `invalid-argument` naming the option.
 */
export function planExperiment(o: PlanOptions): ExperimentPlan {
  const v = experimentVariance(o);
  const { lift, alpha, power, holdout, eligibleShare } = check(o);
  const z = (normalQuantile(1 - alpha / 2) + normalQuantile(power)) ** 2 / (lift * lift);
  const visitors = Math.ceil(z * v.envelope());
  const held = Math.round(visitors * holdout);
  return {
    visitors,
    perArm: { holdout: held, treated: visitors - held },
    withoutPrivacy: Math.ceil(z * v.withoutPrivacy),
    reporters: Math.ceil(visitors / eligibleShare),
    mechanism: v.mechanism,
  };
}
