import { M as MechanismName, u as ReportValue } from './chunks/types-R6Jy8j5G.js';

/** Fills `bytes` with random bytes. Privacy randomness comes only from here. */
type RandomSource = (bytes: Uint8Array) => void;

/** MurmurHash3 x86 32-bit of `bytes` with `seed`, as an unsigned 32-bit integer. */
declare function murmur3_32(bytes: Uint8Array, seed: number): number;
/**
 * The OLH cohort hash: `murmur3_32(uint32le(index), seed) mod g`
 * (a fast path for the 4-byte input, equal to the general function).
 */
declare function olhHash(index: number, seed: number, g: number): number;

/** A randomizer for one cohort index in [0, k), with its support probabilities. */
interface Mechanism {
    name: MechanismName;
    k: number;
    epsilon: number;
    /** Probability that a report supports the true index. */
    p: number;
    /** Probability that a report supports a given other index. */
    q: number;
    /** OLH only: hash range, max(2, round(e^ε + 1)). */
    g?: number;
    /** SS only: the subset size, the d in [1, k − 1] with the lowest variance. */
    d?: number;
    /** Randomizes `index` (uses the mechanism's RandomSource, crypto.getRandomValues by default). */
    perturb(index: number): ReportValue;
    /** Estimator variance for one index: n·q(1−q)/(p−q)² + nv·(1−p−q)/(p−q). */
    variance(n: number, nv?: number): number;
}
interface MechanismOptions {
    k: number;
    epsilon: number;
    mechanism?: 'auto' | MechanismName;
    /** Randomness (tests, simulations); default crypto.getRandomValues. */
    random?: RandomSource;
}
/**
 * The mechanism with the lowest estimator variance q(1−q)/(p−q)² for (k, ε) among GRR, OLH
 * and, for k ≤ 64, subset selection; ties go to the earlier of grr, olh, ss (a relative
 * difference under 1e-12 is a tie). OUE has OLH's variance with ⌈k/8⌉-byte reports, so it is
 * used only when asked for. GRR still wins where k < 3e^ε + 2, since SS with d = 1 is GRR.
 */
declare function chooseMechanism(k: number, epsilon: number): MechanismName;
/**
 * Creates a GRR, OUE, OLH or SS (subset selection) mechanism for k values and privacy parameter ε
 * (`mechanism: 'auto'` uses {@link chooseMechanism}). Throws `invalid-argument` naming the argument.
 */
declare function createMechanism(opts: MechanismOptions): Mechanism;

export { MechanismName, ReportValue, chooseMechanism, createMechanism, murmur3_32, olhHash };
export type { Mechanism, MechanismOptions, RandomSource };
