import { C as CohortkitError } from './errors-Cp7kg1GW.js';
import { c as createMechanism } from './ldp-ClVGeEjM.js';
import { o as obj, w as want, I as ID, l as list, f as fail$2 } from './validate-aI8U5EBI.js';

// readLift: conversion per arm and the lift, with an interval that counts both the sampling
// variance of the conversions and the LDP noise, including the covariance between cohorts.
function fail$1(msg) {
    throw new CohortkitError('invalid-argument', msg);
}
/** Least-squares line y = a + b·x (b = 0 when the x are all equal). */
function fitLine(x, y) {
    const k = x.length;
    const mx = x.reduce((s, v) => s + v, 0) / k;
    const my = y.reduce((s, v) => s + v, 0) / k;
    let sxx = 0;
    let sxy = 0;
    for (let i = 0; i < k; i++)
        (sxx += (x[i] - mx) ** 2), (sxy += (x[i] - mx) * (y[i] - my));
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
 */
function cohortCovariance(n, estimates, stderrs, fixedCount) {
    const k = estimates.length;
    const N = estimates.map((e) => Math.max(0, e));
    const C = N.map((a, i) => N.map((b, j) => (i === j ? stderrs[i] ** 2 : 0) + (n > 0 ? (i === j ? a : 0) - (a * b) / n : 0)));
    const sum = estimates.reduce((s, e) => s + e, 0);
    if (k > 2 && n > 0 && (fixedCount ?? Math.abs(sum - n) <= 1e-6 * n)) {
        const { a: A, b: B } = fitLine(N, stderrs.map((s) => s * s));
        const beta = B / (k - 2);
        const alpha = (A - beta * n) / (k - 1);
        for (let i = 0; i < k; i++)
            for (let j = 0; j < k; j++)
                if (i !== j)
                    C[i][j] -= alpha + beta * (N[i] + N[j]);
    }
    return C;
}
const quad = (w, C) => {
    let v = 0;
    for (let i = 0; i < w.length; i++)
        for (let j = 0; j < w.length; j++)
            v += w[i] * C[i][j] * w[j];
    return Math.max(0, v);
};
/** Percentage points with one decimal and a sign: +4.3, −2.6, 0.0. */
function formatPP(x) {
    const r = Math.round(x * 1000) / 10;
    return `${r > 0 ? '+' : r < 0 ? '−' : ''}${Math.abs(r).toFixed(1)}`;
}
/**
 * A published estimate may withhold its `unexposed` cohort (too small). It is not needed for the
 * lift itself, only for the covariance: for OUE and OLH it is dropped; for GRR and subset
 * selection ('auto' for k = 5, and the default) it is n − Σ the others (their estimates sum to n)
 * with the variance line of the published cohorts — nothing the wire did not already imply.
 */
function fillWithheld(cohorts, gone, n, mech) {
    const known = cohorts.filter((c) => c !== gone);
    if (mech === 'oue' || mech === 'olh')
        return known;
    const e = n - known.reduce((s, c) => s + c.estimate, 0);
    const { a, b } = fitLine(known.map((c) => Math.max(0, c.estimate)), known.map((c) => c.stderr ** 2));
    return cohorts.map((c) => (c === gone ? { id: c.id, estimate: e, stderr: Math.sqrt(Math.max(0, a + b * Math.max(0, e))) } : c));
}
const LIFT_COHORTS = ['holdout-converted', 'holdout-not', 'treated-converted', 'treated-not'];
/**
 * Conversion per arm and lift with a 95% interval, from `estimator.estimate('experiment-<id>')`.
 * Rates come from the unbiased cohort estimates (negative ones clamped to 0); stderrs by the delta
 * method over {@link cohortCovariance} (sampling + LDP noise + the noise covariance of GRR).
 * Throws `invalid-argument` when a cohort of the experiment is missing or not a number, or an
 * arm's cohort is withheld on the wire (a withheld `unexposed` is handled, see fillWithheld).
 */
function readLift(estimate, options = {}) {
    const mech = options?.mechanism;
    if (mech !== undefined && !['grr', 'oue', 'olh', 'ss'].includes(mech))
        fail$1('options.mechanism: expected grr, oue, olh or ss');
    const given = estimate?.cohorts;
    if (!Array.isArray(given))
        fail$1('estimate.cohorts: expected an array (an estimate of an experiment space)');
    const n0 = estimate.n;
    if (n0 !== undefined && (typeof n0 !== 'number' || !(n0 >= 0) || n0 === Infinity))
        fail$1('estimate.n: expected a finite number ≥ 0');
    const withheld = given.filter((c) => c?.estimate === null && c.stderr === null);
    given.forEach((c, i) => {
        if (withheld.includes(c)) {
            if (LIFT_COHORTS.includes(c.id))
                fail$1(`estimate.cohorts[${i}]: ${c.id} is withheld on the wire (too small to publish): no lift can be read; read the estimator's raw estimate`);
            if (withheld.length > 1 || n0 === undefined)
                fail$1(`estimate.cohorts[${i}].estimate: expected a finite number (withheld)`);
            return;
        }
        if (typeof c?.estimate !== 'number' || !Number.isFinite(c.estimate))
            fail$1(`estimate.cohorts[${i}].estimate: expected a finite number`);
        if (typeof c.stderr !== 'number' || !(c.stderr >= 0) || c.stderr === Infinity)
            fail$1(`estimate.cohorts[${i}].stderr: expected a finite number ≥ 0`);
    });
    const cohorts = withheld.length ? fillWithheld(given, withheld[0], n0, mech) : given;
    const at = LIFT_COHORTS.map((id) => {
        const i = cohorts.findIndex((c) => c.id === id);
        return i >= 0 ? i : fail$1(`estimate.cohorts: no cohort ${id} (not an experiment space?)`);
    });
    const est = cohorts.map((c) => c.estimate);
    const n = n0 ?? est.reduce((s, e) => s + e, 0);
    const C = cohortCovariance(n, est, cohorts.map((c) => c.stderr), mech && (mech === 'grr' || mech === 'ss'));
    const [hc, hn, tc, tn] = at.map((i) => Math.max(0, est[i]));
    const th = hc + hn;
    const tt = tc + tn;
    // Gradients of each rate a/(a+b) over the k cohorts: ∂/∂a = b/t², ∂/∂b = −a/t².
    const grad = (pairs) => {
        const w = new Array(cohorts.length).fill(0);
        for (const [i, g] of pairs)
            w[i] += g;
        return w;
    };
    const wh = th > 0 ? grad([[at[0], hn / th ** 2], [at[1], -hc / th ** 2]]) : undefined;
    const wt = tt > 0 ? grad([[at[2], tn / tt ** 2], [at[3], -tc / tt ** 2]]) : undefined;
    const arm = (a, t, w) => (w ? { rate: a / t, stderr: Math.sqrt(quad(w, C)), n: t } : { rate: 0, stderr: 0, n: 0 });
    const holdout = arm(hc, th, wh);
    const treated = arm(tc, tt, wt);
    if (!wh || !wt) {
        const summary = `no lift yet: ${!wh ? 'the holdout' : 'the treated'} arm has no visitors`;
        return { holdout, treated, lift: 0, stderr: 0, ci95: [0, 0], significant: false, summary };
    }
    const lift = treated.rate - holdout.rate;
    const stderr = Math.sqrt(quad(wt.map((x, i) => x - wh[i]), C));
    const ci95 = [lift - 1.96 * stderr, lift + 1.96 * stderr];
    const significant = ci95[0] > 0 || ci95[1] < 0;
    const summary = `${formatPP(lift)} pp, 95% CI ${formatPP(ci95[0])} to ${formatPP(ci95[1])} pp: ${significant ? 'significant' : 'not significant'}`;
    return { holdout, treated, lift, stderr, ci95, significant, summary };
}

// planExperiment: how many eligible visitors an experiment needs, with the LDP noise priced in.
const fail = (path, expected, got) => {
    throw new CohortkitError('invalid-argument', `${path}: expected ${expected}, got ${typeof got === 'number' ? got : JSON.stringify(got) ?? String(got)}`);
};
const num = (x) => typeof x === 'number' && Number.isFinite(x);
/** Inverse of the standard normal CDF (Acklam's rational approximation, one Halley step). */
function normalQuantile(p) {
    const a = [-39.6968302866538, 220.946098424521, -275.928510446969, 138.357751867269, -30.6647980661472, 2.50662827745924];
    const b = [-54.4760987982241, 161.585836858041, -155.698979859887, 66.8013118877197, -13.2806815528857];
    const c = [-0.00778489400243029, -0.322396458041136, -2.40075827716184, -2.54973253934373, 4.37466414146497, 2.93816398269878];
    const d = [0.00778469570904146, 0.32246712907004, 2.445134137143, 3.75440866190742];
    const lo = 0.02425;
    let x;
    if (p < lo || p > 1 - lo) {
        const q = Math.sqrt(-2 * Math.log(p < lo ? p : 1 - p));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        if (p > 1 - lo)
            x = -x;
    }
    else {
        const q = p - 0.5;
        const r = q * q;
        x = ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    }
    const e = normalCdf(x) - p;
    const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
    return x - u / (1 + (x * u) / 2);
}
/** Standard normal CDF (erfc by a Chebyshev fit, |error| < 1.2e-7). */
function normalCdf(x) {
    const z = Math.abs(x) / Math.SQRT2;
    const t = 1 / (1 + 0.5 * z);
    const r = t *
        Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
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
function liftVariance(pi, w, mech) {
    const k = pi.length;
    let v = 0;
    for (let i = 0; i < k; i++)
        for (let j = 0; j < k; j++) {
            let c;
            if (!mech)
                c = (i === j ? pi[i] : 0) - pi[i] * pi[j];
            else {
                const { p, q } = mech;
                const g = p - q;
                const li = q + pi[i] * g;
                const lj = q + pi[j] * g;
                let both = li;
                if (i !== j) {
                    if (mech.name === 'oue' || mech.name === 'olh')
                        both = q * q + (pi[i] + pi[j]) * q * g;
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
function check(o) {
    if (typeof o !== 'object' || o === null || Array.isArray(o))
        fail('options', 'an object', o);
    for (const key of Object.keys(o))
        if (!KEYS.includes(key))
            fail(`options.${key}`, `one of ${KEYS.join(', ')}`, 'an unknown option');
    const { baseline, lift, epsilon, holdout = 0.5, alpha = 0.05, power = 0.8, mechanism = 'auto', eligibleShare = 1 } = o;
    if (!num(baseline) || !(baseline > 0 && baseline < 1))
        fail('baseline', 'a number in (0, 1)', baseline);
    if (!num(lift) || lift === 0)
        fail('lift', 'a non-zero number (absolute: 0.02 = +2 pp)', lift);
    if (!(baseline + lift >= 0 && baseline + lift <= 1))
        fail('lift', `baseline + lift in [0, 1] (baseline ${baseline})`, lift);
    if (!num(epsilon) || !(epsilon > 0))
        fail('epsilon', 'a finite number > 0', epsilon);
    if (!num(holdout) || !(holdout > 0 && holdout < 1))
        fail('holdout', 'a share in (0, 1)', holdout);
    if (!num(alpha) || !(alpha > 0 && alpha < 1))
        fail('alpha', 'a number in (0, 1)', alpha);
    if (!num(power) || !(power > alpha / 2 && power < 1))
        fail('power', 'a number in (alpha/2, 1)', power);
    if (!num(eligibleShare) || !(eligibleShare > 0 && eligibleShare <= 1))
        fail('eligibleShare', 'a share in (0, 1]', eligibleShare);
    if (!['auto', 'grr', 'oue', 'olh', 'ss'].includes(mechanism))
        fail('mechanism', 'auto, grr, oue, olh or ss', mechanism);
    return { baseline, lift, epsilon, holdout, alpha, power, mechanism, eligibleShare };
}
const KEYS = ['baseline', 'lift', 'epsilon', 'holdout', 'alpha', 'power', 'mechanism', 'eligibleShare'];
/**
 * Variance of the estimated lift times the number of eligible visitors, with the LDP noise
 * (`privacy`) and on exact counts (`withoutPrivacy`): divide by the visitors to get Var(lift).
 * Validates like {@link planExperiment}; `alpha` and `power` are not used.
 */
function experimentVariance(o) {
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
        withoutPrivacy: (rh * (1 - rh)) / holdout + (rt * (1 - rt)) / (1 - holdout),
        mechanism: m.name,
    };
}
/**
 * Eligible visitors (both arms) for a two-sided z-test at `alpha` with `power` to detect an
 * absolute `lift` over `baseline`, counting the LDP variance of the experiment's 5-cohort space at
 * `epsilon` (delta method, the same variance `readLift` reports). `withoutPrivacy` is the same test
 * on exact counts, so `visitors ≥ withoutPrivacy`. Throws `invalid-argument` naming the option.
 */
function planExperiment(o) {
    const v = experimentVariance(o);
    const { lift, alpha, power, holdout, eligibleShare } = check(o);
    const z = (normalQuantile(1 - alpha / 2) + normalQuantile(power)) ** 2 / (lift * lift);
    const visitors = Math.ceil(z * v.privacy);
    const held = Math.round(visitors * holdout);
    return {
        visitors,
        perArm: { holdout: held, treated: visitors - held },
        withoutPrivacy: Math.ceil(z * v.withoutPrivacy),
        reporters: Math.ceil(visitors / eligibleShare),
        mechanism: v.mechanism,
    };
}

/** The event `decide()` records (only when an experiment reads it) for the arm a visitor saw. */
const EXPOSURE_EVENT = 'ck.exposure';
/**
 * Segments and the cohort space of an experiment. Add `segments` to `options.segments` and
 * `space` to `options.cohorts`; `decide({ slot, holdout, … })` then records, locally, the arm of
 * each eligible visitor (a consented member of a variant's segment, cap not reached, the
 * experiment's purposes granted): `holdout` or `treated`, kept from their first eligible decision
 * (intent to treat). The space reports arm × outcome. Cohort order: holdout-converted,
 * holdout-not, treated-converted, treated-not; fallback `unexposed` (in no arm).
 */
function defineExperiment(o) {
    const p = `exp-${o.id}`;
    const purposes = o.purposes ?? ['personalization'];
    const seg = (id, description, rule) => ({ id: `${p}-${id}`, description, purposes, rule });
    const arm = (a) => ({ event: EXPOSURE_EVENT, where: { slot: o.slot, arm: a } });
    const segments = [
        seg('holdout', `${o.slot}: kept on the fallback`, arm('holdout')),
        seg('treated', `${o.slot}: shown a variant`, arm('treated')),
        seg('converted', o.description ?? `converted (${o.id})`, o.conversion),
    ];
    const cell = (a, conv) => seg(`${a}-${conv ? 'c' : 'n'}`, `${a}, ${conv ? '' : 'not '}converted`, {
        all: [{ segment: `${p}-${a}` }, conv ? { segment: `${p}-converted` } : { not: { segment: `${p}-converted` } }],
    });
    segments.push(cell('holdout', true), cell('holdout', false), cell('treated', true), cell('treated', false));
    return {
        segments,
        space: {
            id: `experiment-${o.id}`,
            description: `Experiment ${o.id}: arm × outcome for slot ${o.slot}`,
            cohorts: [
                { id: 'holdout-converted', segment: `${p}-holdout-c` },
                { id: 'holdout-not', segment: `${p}-holdout-n` },
                { id: 'treated-converted', segment: `${p}-treated-c` },
                { id: 'treated-not', segment: `${p}-treated-n` },
            ],
            fallback: 'unexposed',
        },
    };
}

// Shared statistics of the metrics: shares of estimated counts and the ratio of two shares,
// with variances from the cohorts' full covariance (sampling + LDP noise, as readLift counts it).
/** z for a two-sided 95% interval. */
const Z95 = 1.959964;
const bad = (path, what) => {
    throw new CohortkitError('invalid-argument', `${path}: ${what}`);
};
/**
 * Reads `estimate` (`estimator.estimate(space)` or a GET /v1/estimates body), checking every value
 * it uses, and derives the covariance of the cohort estimates (see cohortCovariance).
 * @throws CohortkitError `invalid-argument` naming the path, e.g. `estimate.cohorts[2].stderr`
 */
function readCounts(estimate) {
    const e = estimate;
    if (typeof e !== 'object' || e === null || !Array.isArray(e.cohorts))
        return bad('estimate', 'expected an estimate { n, cohorts: [...] }');
    const ids = [];
    const raw = [];
    const se = [];
    const withheld = [];
    e.cohorts.forEach((c, i) => {
        const p = `estimate.cohorts[${i}]`;
        if (typeof c !== 'object' || c === null)
            return bad(p, 'expected an object');
        const { id, estimate: x, stderr: s } = c;
        if (typeof id !== 'string')
            return bad(`${p}.id`, 'expected a string');
        ids.push(id);
        if (x === null)
            return withheld.push(i), raw.push(NaN), se.push(NaN);
        if (typeof x !== 'number' || !Number.isFinite(x))
            return bad(`${p}.estimate`, 'expected a finite number or null');
        if (typeof s !== 'number' || !Number.isFinite(s) || s < 0)
            return bad(`${p}.stderr`, 'expected a finite number ≥ 0');
        raw.push(x), se.push(s);
    });
    const n = e.n ?? raw.reduce((a, b) => a + (b || 0), 0);
    if (typeof n !== 'number' || !(n >= 0) || n === Infinity)
        bad('estimate.n', 'expected a finite number ≥ 0');
    const x = raw.map((v) => (Number.isNaN(v) ? NaN : Math.max(0, v)));
    if (!withheld.length)
        return { ids, x, withheld, cov: cohortCovariance(n, raw, se) };
    // Published cohorts only: sampling + their own noise (their estimates no longer sum to n, so
    // cohortCovariance adds no GRR term); embedded in k × k with zeros for the withheld.
    const pub = ids.map((_, i) => i).filter((i) => !withheld.includes(i));
    const sub = cohortCovariance(n, pub.map((i) => raw[i]), pub.map((i) => se[i]));
    const cov = ids.map(() => new Array(ids.length).fill(0));
    pub.forEach((i, a) => pub.forEach((j, b) => (cov[i][j] = sub[a][b])));
    return { ids, x, withheld, cov };
}
/** w'·C·v */
const form = (w, C, v) => {
    let s = 0;
    for (let i = 0; i < w.length; i++)
        if (w[i])
            for (let j = 0; j < v.length; j++)
                s += w[i] * C[i][j] * v[j];
    return s;
};
const clamp01 = (v) => Math.min(1, Math.max(0, v));
/**
 * The share Σ_{i∈num} xᵢ / Σ_{i∈den} xᵢ (num ⊆ den) of clamped counts. Its variance is the delta
 * method over the cohort covariance: gradient (1[i∈num] − r)/T on `den`. With T < 1 (under one estimated
 * reporters) the share is not estimable: rate NaN, ci95 [0, 1].
 */
function shareOf(c, num, den) {
    const grad = new Array(c.x.length).fill(0);
    const T = den.reduce((s, i) => s + c.x[i], 0);
    const touchesWithheld = den.some((i) => c.withheld.includes(i));
    const none = { rate: NaN, stderr: NaN, n: touchesWithheld ? NaN : Math.max(0, T), ci95: [0, 1], grad };
    if (!c.cov || touchesWithheld || !(T >= 1))
        return none; // withheld, or fewer than one estimated reporter
    const r = num.reduce((s, i) => s + c.x[i], 0) / T;
    for (const i of den)
        grad[i] = ((num.includes(i) ? 1 : 0) - r) / T;
    const stderr = Math.sqrt(Math.max(0, form(grad, c.cov, grad)));
    if (!Number.isFinite(stderr))
        return none;
    return { rate: r, stderr, n: T, ci95: [clamp01(r - Z95 * stderr), clamp01(r + Z95 * stderr)], grad };
}
/** Covariance of two shares of the same estimate. */
const shareCovariance = (c, a, b) => (c.cov ? form(a.grad, c.cov, b.grad) : NaN);
/**
 * 95% interval of the ratio lo/hi of two estimates (variances vlo, vhi, covariance c) by Fieller's
 * theorem: the ρ with (lo − ρ·hi)² ≤ z²·(vlo − 2ρ·c + ρ²·vhi). Bounded only when hi is clearly
 * above 0 (hi² > z²·vhi); otherwise [0, Infinity]: the data cannot bound the ratio. Ratios of
 * shares are ≥ 0, so the lower bound is clamped at 0.
 */
function fiellerRatio(lo, vlo, hi, vhi, c = 0) {
    const z2 = Z95 * Z95;
    const bound = Math.sqrt(vlo * vhi); // Cauchy–Schwarz: keeps a rounded covariance consistent
    const A = hi * hi - z2 * vhi;
    const B = lo * hi - z2 * Math.min(bound, Math.max(-bound, c));
    const C = lo * lo - z2 * vlo;
    if (!(A > 0))
        return [0, Infinity];
    const root = Math.sqrt(Math.max(0, B * B - A * C));
    return [Math.max(0, (B - root) / A), Math.max(0, (B + root) / A)];
}

/** Most groups an audit may have (k = 2·groups + 1 ≤ 65). */
const MAX_AUDIT_GROUPS = 32;
/**
 * Segments and the cohort space of a fairness audit. Add `segments` to `options.segments` and
 * `space` to `options.cohorts`. Space `audit-<id>`: for each group in order `<group>-in` and
 * `<group>-out` (member of `segment` or not), fallback `ungrouped`. Each cohort's segment is
 * "member of this group, of no earlier group, and in (or not in) `segment`".
 * @throws CohortkitError `invalid-options` naming the path, e.g. `groups[1].id: duplicate id "a"`
 */
function defineAudit(o) {
    const v = obj(o, '', ['id', 'segment', 'groups', 'purposes']);
    const id = want(v.id, ID, 'id');
    const space = `audit-${id}`;
    const prefix = `aud-${id}`;
    const target = want(v.segment, ID, 'segment');
    const raw = list(v.groups, 'groups', 1);
    if (raw.length > MAX_AUDIT_GROUPS)
        fail$2('groups', `expected at most ${MAX_AUDIT_GROUPS} groups`);
    const seen = new Set();
    const groups = raw.map((g, i) => {
        const gv = obj(g, `groups[${i}]`, ['id', 'segment']);
        const gid = want(gv.id, ID, `groups[${i}].id`);
        if (seen.has(gid))
            fail$2(`groups[${i}].id`, `duplicate id "${gid}"`);
        if (gid === 'ungrouped')
            fail$2(`groups[${i}].id`, '"ungrouped" is the fallback cohort');
        if (gid.length > 60)
            fail$2(`groups[${i}].id`, 'expected at most 60 characters (the cohort id is "<group>-out")');
        seen.add(gid);
        return { id: gid, segment: want(gv.segment, ID, `groups[${i}].segment`) };
    });
    const purposes = v.purposes === undefined ? [] : list(v.purposes, 'purposes').map((p, i) => want(p, ID, `purposes[${i}]`));
    // Generated ids must be ids too: the longest is `aud-<id>-<last index>-out`.
    if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(`${prefix}-${groups.length - 1}-out`) || space.length > 64)
        fail$2('id', `too long: "${prefix}-${groups.length - 1}-out" must fit 64 characters`);
    const segments = [];
    const cohorts = [];
    groups.forEach((g, i) => {
        const earlier = groups.slice(0, i).map((e) => ({ not: { segment: e.segment } }));
        for (const inside of [true, false]) {
            const sid = `${prefix}-${i}-${inside ? 'in' : 'out'}`;
            const member = inside ? { segment: target } : { not: { segment: target } };
            segments.push({
                id: sid,
                description: `Audit ${id}: group ${g.id}, ${inside ? 'in' : 'not in'} ${target}`,
                purposes,
                rule: { all: [{ segment: g.segment }, ...earlier, member] },
            });
            cohorts.push({ id: `${g.id}-${inside ? 'in' : 'out'}`, segment: sid });
        }
    });
    return {
        segments,
        space: { id: space, description: `Fairness audit ${id}: membership of ${target} per group`, cohorts, fallback: 'ungrouped' },
    };
}
/**
 * Per-group membership rate, the disparity ratio (lowest ÷ highest) with a 95% interval, and the
 * four-fifths flag, from `estimator.estimate('audit-<id>')` (or a GET /v1/estimates body).
 * Each rate's stderr counts the LDP noise and the sampling of reporters (see docs/metrics.md).
 * @param o.threshold default 0.8 (the four-fifths rule); a number in (0, 1]
 * @throws CohortkitError `invalid-argument` for a malformed estimate or threshold, naming the path
 */
function readAudit(estimate, o = {}) {
    const opts = obj(o, 'options', ['threshold'], 'invalid-argument');
    const threshold = (opts.threshold ?? 0.8);
    if (typeof threshold !== 'number' || !(threshold > 0 && threshold <= 1))
        fail$2('options.threshold', 'expected a number in (0, 1]', 'invalid-argument');
    const c = readCounts(estimate);
    const last = c.ids.length - 1;
    if (c.ids.length < 3 || c.ids.length % 2 !== 1 || c.ids[last] !== 'ungrouped')
        fail$2('estimate.cohorts', 'expected an audit space: <group>-in, <group>-out per group, then ungrouped', 'invalid-argument');
    const groups = [];
    const shares = [];
    for (let i = 0; i < last; i += 2) {
        const gid = c.ids[i].slice(0, -3);
        if (!c.ids[i].endsWith('-in') || c.ids[i + 1] !== `${gid}-out`)
            fail$2(`estimate.cohorts[${i}].id`, `expected "<group>-in" followed by "<group>-out", got "${c.ids[i]}", "${c.ids[i + 1]}"`, 'invalid-argument');
        const s = shareOf(c, [i], [i, i + 1]);
        shares.push(s);
        groups.push({ id: gid, n: s.n, rate: s.rate, stderr: s.stderr, ci95: s.ci95 });
    }
    const ok = groups.map((_, i) => i).filter((i) => Number.isFinite(groups[i].rate));
    if (ok.length < 2)
        return { groups, ratio: NaN, ci95: [0, Infinity], flagged: false };
    let lo = ok[0];
    let hi = ok[0];
    for (const i of ok) {
        if (groups[i].rate < groups[lo].rate)
            lo = i;
        if (groups[i].rate > groups[hi].rate)
            hi = i;
    }
    if (lo === hi)
        hi = ok[1]; // all rates equal
    const [L, H] = [shares[lo], shares[hi]];
    const ratio = H.rate > 0 ? L.rate / H.rate : NaN;
    const ci95 = fiellerRatio(L.rate, L.stderr ** 2, H.rate, H.stderr ** 2, shareCovariance(c, L, H));
    return { groups, ratio, ci95, flagged: ci95[1] < threshold, lowest: groups[lo].id, highest: groups[hi].id };
}

export { EXPOSURE_EVENT as E, defineExperiment as a, readAudit as b, readLift as c, defineAudit as d, planExperiment as p, readCounts as r, shareOf as s };
//# sourceMappingURL=audit-KLGZ8Vqc.js.map
