import { CohortkitError } from '../errors';
import type { MechanismName, ReportValue } from '../types';
import { olhHash } from './murmur3';
import { defaultRandom, randomBernoulli, randomInt, randomUint32, toBase64url, uniform53, type RandomSource } from './random';
import { SS_MAX_K, perturbSubset, subsetParams, subsetSize } from './subset';

/** A randomizer for one cohort index in [0, k), with its support probabilities. */
export interface Mechanism {
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

export interface MechanismOptions {
  k: number;
  epsilon: number;
  mechanism?: 'auto' | MechanismName;
  /** Randomness (tests, simulations); default crypto.getRandomValues. */
  random?: RandomSource;
}

const MAX_K = 4294967296;
/**
 * Largest k OUE is offered for: its report carries ⌈k/8⌉ bytes (base64url: ⌈k/6⌉ characters), which
 * must fit one keepalive request (60 KiB, see MAX_CHUNK in src/reporting/transport.ts); its draw
 * reads 8·k random bytes (2 MiB at this cap).
 */
export const OUE_MAX_K = 262144;
/** Largest k `mechanism` takes: 4096 for `ss` (SS_MAX_K), {@link OUE_MAX_K} for `oue`, else 2^32. */
export const maxK = (mechanism: unknown): number => (mechanism == 'ss' ? SS_MAX_K : mechanism == 'oue' ? OUE_MAX_K : MAX_K);

const fail = (msg: string): never => {
  throw new CohortkitError('invalid-argument', msg);
};

/** Throws `invalid-argument` unless k is an integer in [2, 2^32] and ε a finite number > 0. */
export function checkParams(k: unknown, epsilon: unknown): void {
  if (!Number.isInteger(k) || (k as number) < 2 || (k as number) > MAX_K) fail('k: expected an integer in [2, 2^32]');
  if (typeof epsilon !== 'number' || !(epsilon > 0) || epsilon === Infinity) fail('epsilon: expected a finite number > 0');
}

/** Largest k for which `chooseMechanism` considers subset selection. */
const SS_AUTO_K = 64;

/**
 * The mechanism with the lowest estimator variance q(1−q)/(p−q)² for (k, ε) among GRR, OLH
 * and, for k ≤ 64, subset selection; ties go to the earlier of grr, olh, ss (a relative
 * difference under 1e-12 is a tie). OUE has OLH's variance with ⌈k/8⌉-byte reports, so it is
 * used only when asked for. GRR still wins where k < 3e^ε + 2, since SS with d = 1 is GRR.
 */
export function chooseMechanism(k: number, epsilon: number): MechanismName {
  checkParams(k, epsilon);
  let best: MechanismName = 'grr';
  let bestV = Infinity;
  for (const name of ['grr', 'olh', 'ss'] as const) {
    if (name === 'ss' && k > SS_AUTO_K) break;
    const { p, q } = mechanismParams(name, k, epsilon, olhRange(epsilon));
    const v = varianceOf(p, q, 1);
    if (v < bestV * (1 - 1e-12)) (best = name), (bestV = v);
  }
  return best;
}

/** OLH hash range for ε: max(2, round(e^ε + 1)), capped at 2^32. */
export const olhRange = (epsilon: number): number => Math.min(MAX_K, Math.max(2, Math.round(Math.exp(epsilon) + 1)));

/**
 * Support probabilities (p, q) of a mechanism. `g` is the OLH hash range; SS uses its optimal d. Written with e^−ε so
 * that very large ε gives p → 1, q → 0 instead of NaN.
 */
export function mechanismParams(name: MechanismName, k: number, epsilon: number, g = 0): { p: number; q: number } {
  const d = Math.exp(-epsilon);
  if (name === 'grr') return { p: 1 / (1 + (k - 1) * d), q: d / (1 + (k - 1) * d) };
  if (name === 'oue') return { p: 0.5, q: d / (1 + d) };
  if (name === 'ss') return subsetParams(k, epsilon, subsetSize(k, epsilon));
  return { p: 1 / (1 + (g - 1) * d), q: 1 / g };
}

/** Estimator variance n·q(1−q)/(p−q)² + nv·(1−p−q)/(p−q) for support probabilities p, q. */
export const varianceOf = (p: number, q: number, n: number, nv = 0): number =>
  (n * q * (1 - q)) / ((p - q) * (p - q)) + (nv * (1 - p - q)) / (p - q);

/**
 * Creates a GRR, OUE, OLH or SS (subset selection) mechanism for k values and privacy parameter ε
 * (`mechanism: 'auto'` uses {@link chooseMechanism}). Throws `invalid-argument` naming the argument,
 * also for k above what the mechanism takes: `ss` k ≤ 4096 (SS_MAX_K), `oue` k ≤ 262,144 ({@link OUE_MAX_K}).
 */
export function createMechanism(opts: MechanismOptions): Mechanism {
  const { k, epsilon, mechanism = 'auto', random: rs = defaultRandom } = opts;
  checkParams(k, epsilon);
  if (mechanism !== 'auto' && mechanism !== 'grr' && mechanism !== 'oue' && mechanism !== 'olh' && mechanism !== 'ss') {
    fail('mechanism: expected auto, grr, oue, olh or ss');
  }
  if (k > maxK(mechanism)) fail(`k: ${mechanism} takes k ≤ ${maxK(mechanism)}`);
  if (typeof rs !== 'function') fail('random: expected a function');
  const name = mechanism === 'auto' ? chooseMechanism(k, epsilon) : mechanism;
  const g = name === 'olh' ? olhRange(epsilon) : 0;
  const ssD = name === 'ss' ? subsetSize(k, epsilon) : 0;
  const { p, q } = mechanismParams(name, k, epsilon, g);
  // Keeps x w.p. pKeep, else answers uniformly among the other m − 1 values of [0, m).
  const randomize = (x: number, m: number, pKeep: number): number => {
    if (randomBernoulli(pKeep, rs)) return x;
    const r = randomInt(m - 1, rs);
    return r < x ? r : r + 1;
  };
  const perturb = (index: number): ReportValue => {
    if (!Number.isInteger(index) || index < 0 || index >= k) fail(`index: expected an integer in [0, ${k})`);
    if (name === 'grr') return { value: randomize(index, k, p) };
    if (name === 'ss') return { items: perturbSubset(index, k, ssD, p, rs) };
    if (name === 'olh') {
      const seed = randomUint32(rs);
      return { seed, g, value: randomize(olhHash(index, seed, g), g, p) };
    }
    const u = new Uint8Array(8 * k);
    rs(u);
    const bits = new Uint8Array(Math.ceil(k / 8));
    for (let i = 0; i < k; i++) if (uniform53(u, 8 * i) < (i === index ? p : q)) bits[i >> 3] |= 1 << (i & 7);
    return { bits: toBase64url(bits) };
  };
  const m: Mechanism = { name, k, epsilon, p, q, perturb, variance: (n, nv = 0) => varianceOf(p, q, n, nv) };
  if (name === 'olh') m.g = g;
  if (name === 'ss') m.d = ssD;
  return m;
}
