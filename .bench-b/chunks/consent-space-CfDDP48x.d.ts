import { M as MechanismName, v as Rule, S as SegmentDefinition, c as CohortSpace } from './types-R6Jy8j5G.js';

/** Conversion of one arm: `rate` = converted ÷ (converted + not), `n` = estimated arm size. */
interface ArmRate {
    rate: number;
    stderr: number;
    n: number;
}
interface Lift {
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
interface LiftInput {
    /** Reports in the estimate; default Σ estimates. */
    n?: number;
    cohorts: Array<{
        id: string;
        estimate: number;
        stderr: number;
    }>;
}
interface LiftOptions {
    /**
     * The mechanism of the reports, when known: `grr` (or `ss`) adds the noise covariance of a
     * fixed-count mechanism, `oue` and `olh` do not. Default: inferred from the estimate (GRR, the
     * client's 'auto' choice for the 5 cohorts of an experiment, is recognized by Σ estimates = n).
     */
    mechanism?: 'grr' | 'oue' | 'olh' | 'ss';
}
/**
 * Conversion per arm and lift with a 95% interval, from `estimator.estimate('experiment-<id>')`.
 * Rates come from the unbiased cohort estimates (negative ones clamped to 0); stderrs by the delta
 * method over {@link cohortCovariance} (sampling + LDP noise + the noise covariance of GRR).
 * Throws `invalid-argument` when a cohort of the experiment is missing or not a number, or an
 * arm's cohort is withheld on the wire (a withheld `unexposed` is handled, see fillWithheld).
 */
declare function readLift(estimate: LiftInput, options?: LiftOptions): Lift;

interface PlanOptions {
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
interface ExperimentPlan {
    /** Eligible visitors needed, both arms together. */
    visitors: number;
    perArm: {
        holdout: number;
        treated: number;
    };
    /** The same test on exact (un-noised) counts. */
    withoutPrivacy: number;
    /** Reporters of the space needed: visitors ÷ eligibleShare. */
    reporters: number;
    mechanism: MechanismName;
}
/**
 * Eligible visitors (both arms) for a two-sided z-test at `alpha` with `power` to detect an
 * absolute `lift` over `baseline`, counting the LDP variance of the experiment's 5-cohort space at
 * `epsilon` (delta method, the same variance `readLift` reports). `withoutPrivacy` is the same test
 * on exact counts, so `visitors ≥ withoutPrivacy`. Throws `invalid-argument` naming the option.
 */
declare function planExperiment(o: PlanOptions): ExperimentPlan;

interface ExperimentOptions {
    /** Experiment id; the space is named `experiment-<id>`. */
    id: string;
    /** The decide() slot whose holdout defines the arms. */
    slot: string;
    /** What counts as a conversion, as a segment rule (e.g. `{ event: 'purchase' }`). */
    conversion: Rule;
    description?: string;
    /** Purposes the arm and outcome segments rely on; default ['personalization']. */
    purposes?: string[];
}
/**
 * Segments and the cohort space of an experiment. Add `segments` to `options.segments` and
 * `space` to `options.cohorts`; `decide({ slot, holdout, … })` then records, locally, the arm of
 * each eligible visitor (a consented member of a variant's segment, cap not reached, the
 * experiment's purposes granted): `holdout` or `treated`, kept from their first eligible decision
 * (intent to treat). The space reports arm × outcome. Cohort order: holdout-converted,
 * holdout-not, treated-converted, treated-not; fallback `unexposed` (in no arm).
 */
declare function defineExperiment(o: ExperimentOptions): {
    segments: SegmentDefinition[];
    space: CohortSpace;
};

interface AuditOptions {
    /** Audit id; the space is named `audit-<id>`. */
    id: string;
    /** The segment whose membership rate is compared across groups. */
    segment: string;
    /** Groups, in order; a visitor belongs to the first group whose segment they are a member of. */
    groups: Array<{
        id: string;
        segment: string;
    }>;
    /** Purposes the audit's own segments rely on (beyond those of the segments they reference); default none. */
    purposes?: string[];
}
interface AuditGroup {
    id: string;
    /** Estimated reporters in the group (in + out, negative estimates clamped to 0). */
    n: number;
    /** Share of the group in `segment`; NaN when not estimable (no reporters, or a cohort withheld). */
    rate: number;
    stderr: number;
    ci95: [number, number];
}
interface AuditResult {
    groups: AuditGroup[];
    /** Lowest rate ÷ highest rate over the estimable groups (NaN with fewer than two). */
    ratio: number;
    /** 95% interval of `ratio` (Fieller); [0, Infinity] when the data cannot bound it. */
    ci95: [number, number];
    /** The interval's upper bound is below `threshold`: a disparity the noise cannot explain. */
    flagged: boolean;
    /** The groups whose rates form `ratio` (ids; absent with fewer than two estimable groups). */
    lowest?: string;
    highest?: string;
}
/**
 * Segments and the cohort space of a fairness audit. Add `segments` to `options.segments` and
 * `space` to `options.cohorts`. Space `audit-<id>`: for each group in order `<group>-in` and
 * `<group>-out` (member of `segment` or not), fallback `ungrouped`. Each cohort's segment is
 * "member of this group, of no earlier group, and in (or not in) `segment`".
 * @throws CohortkitError `invalid-options` naming the path, e.g. `groups[1].id: duplicate id "a"`
 */
declare function defineAudit(o: AuditOptions): {
    segments: SegmentDefinition[];
    space: CohortSpace;
};
/**
 * Per-group membership rate, the disparity ratio (lowest ÷ highest) with a 95% interval, and the
 * four-fifths flag, from `estimator.estimate('audit-<id>')` (or a GET /v1/estimates body).
 * Each rate's stderr counts the LDP noise and the sampling of reporters (see docs/metrics.md).
 * @param o.threshold default 0.8 (the four-fifths rule); a number in (0, 1]
 * @throws CohortkitError `invalid-argument` for a malformed estimate or threshold, naming the path
 */
declare function readAudit(estimate: unknown, o?: {
    threshold?: number;
}): AuditResult;

/**
 * The `consent` space (version 1) for `purposes`: cohort i is the combination with index i
 * (`personalization:granted|measurement:denied`), k = 3^P; the last combination is the fallback.
 * Cohort `segment`s name no segment (the client assigns by consent state, not membership).
 * @throws CohortkitError `invalid-argument` naming the path
 */
declare function consentSpace(purposes: string[]): CohortSpace;

export { consentSpace as c, defineAudit as d, defineExperiment as e, readAudit as i, planExperiment as p, readLift as r };
export type { ArmRate as A, ExperimentOptions as E, Lift as L, PlanOptions as P, AuditOptions as a, ExperimentPlan as b, AuditGroup as f, AuditResult as g, LiftInput as h };
