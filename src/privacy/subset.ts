// Subset selection (Ye & Barg 2018; Wang et al. 2016): report a set of d of the k cohorts,
// holding the true one with probability d·e^ε / (d·e^ε + k − d).
import { randomBernoulli, randomInt, toBase64url, type RandomSource } from './random';

/** Largest k subset selection is offered for on request (the d search is O(k), reports ⌈k/8⌉ bytes). */
export const SS_MAX_K = 4096;

/**
 * Support probabilities of subset selection with subset size d. Written with e^−ε so a very
 * large ε gives p → 1 and q → (d − 1)/(k − 1) instead of NaN.
 */
export function subsetParams(k: number, epsilon: number, d: number): { p: number; q: number } {
  const x = Math.exp(-epsilon);
  const den = d + (k - d) * x;
  return { p: d / den, q: ((d * (d - 1)) / (k - 1) + ((d * (k - d)) / (k - 1)) * x) / den };
}

const unitVariance = (p: number, q: number): number => (q * (1 - q)) / ((p - q) * (p - q));

/**
 * The subset size d in [1, k − 1] with the lowest estimator variance q(1−q)/(p−q)², the first
 * on ties (relative difference under 1e-12 counts as a tie, so rounding never decides).
 */
export function subsetSize(k: number, epsilon: number): number {
  let best = 1;
  let bestV = Infinity;
  for (let d = 1; d < k; d++) {
    const { p, q } = subsetParams(k, epsilon, d);
    const v = unitVariance(p, q);
    if (v < bestV * (1 - 1e-12)) (best = d), (bestV = v);
  }
  return best;
}

/**
 * Draws a subset of size d holding `index` with probability `pIn`, the other members uniform
 * among the remaining cohorts; returns it as unpadded base64url of ⌈k/8⌉ bytes, bit i for
 * cohort i, least significant bit first.
 */
export function perturbSubset(index: number, k: number, d: number, pIn: number, rs: RandomSource): string {
  const bits = new Uint8Array(Math.ceil(k / 8));
  const set = (i: number) => (bits[i >> 3] |= 1 << (i & 7));
  const keep = randomBernoulli(pIn, rs);
  if (keep) set(index);
  // Partial Fisher–Yates over the k − 1 other cohorts.
  const others: number[] = [];
  for (let i = 0; i < k; i++) if (i !== index) others.push(i);
  for (let j = 0, want = keep ? d - 1 : d; j < want; j++) {
    const r = j + randomInt(others.length - j, rs);
    const t = others[r];
    others[r] = others[j];
    others[j] = t;
    set(t);
  }
  return toBase64url(bits);
}
