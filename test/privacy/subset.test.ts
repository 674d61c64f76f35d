import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBase64url } from '../../src/privacy/random';
import { perturbSubset, subsetParams, subsetSize } from '../../src/privacy/subset';
import { seededRandom } from './helpers';

const E = Math.E;
const setBits = (items: string, k: number): number[] => {
  const b = fromBase64url(items)!;
  const out: number[] = [];
  for (let i = 0; i < 8 * b.length; i++) if ((b[i >> 3] >> (i & 7)) & 1) out.push(i);
  expect(b.length).toBe(Math.ceil(k / 8));
  return out;
};

describe('subset selection parameters (API.md "Subset selection")', () => {
  it('p and q follow the contract formula', () => {
    for (const [k, eps, d] of [[32, 1, 8], [8, 2, 3], [64, 0.5, 20], [5, 1, 1]]) {
      const e = Math.exp(eps);
      const { p, q } = subsetParams(k, eps, d);
      expect(p).toBeCloseTo((d * e) / (d * e + k - d), 12);
      expect(q).toBeCloseTo(((d * e * (d - 1)) / (k - 1) + (d * (k - d)) / (k - 1)) / (d * e + k - d), 12);
    }
  });
  it('d = 1 is exactly GRR', () => {
    const { p, q } = subsetParams(7, 1, 1);
    expect(p).toBeCloseTo(E / (E + 6), 14);
    expect(q).toBeCloseTo(1 / (E + 6), 14);
  });
  it('large ε stays finite', () => {
    const { p, q } = subsetParams(16, 1000, 3);
    expect(p).toBe(1);
    expect(q).toBeCloseTo(2 / 15, 14);
  });
  it.each([
    [32, 1, 8],
    [32, 2, 3],
    [64, 1, 17],
    [8, 1, 2],
    [5, 1, 1],
  ])('k=%d ε=%d → d=%d, the lowest variance in [1, k−1]', (k, eps, d) => {
    expect(subsetSize(k, eps)).toBe(d);
    const v = (x: number) => {
      const { p, q } = subsetParams(k, eps, x);
      return (q * (1 - q)) / (p - q) ** 2;
    };
    for (let x = 1; x < k; x++) expect(v(x)).toBeGreaterThanOrEqual(v(d) * (1 - 1e-12));
  });
});

describe('perturbSubset', () => {
  it('sets exactly d bits, all below k, for any index', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 70 }), fc.nat(), fc.integer(), fc.double({ min: 0, max: 1, noNaN: true }), (k, i, seed, pIn) => {
        const index = i % k;
        const d = 1 + (seed >>> 0) % (k - 1);
        const bits = setBits(perturbSubset(index, k, d, pIn, seededRandom(seed)), k);
        expect(bits.length).toBe(d);
        expect(bits.every((b) => b < k)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
  it('holds the true cohort with probability p and each other with probability q', () => {
    const k = 12;
    const eps = 1;
    const d = subsetSize(k, eps);
    const { p, q } = subsetParams(k, eps, d);
    const rs = seededRandom(7);
    const n = 40000;
    const hits = new Array<number>(k).fill(0);
    for (let r = 0; r < n; r++) for (const b of setBits(perturbSubset(3, k, d, p, rs), k)) hits[b]++;
    // 5 standard errors: fails only if the sampler is biased.
    const tol = (x: number) => 5 * Math.sqrt((x * (1 - x)) / n);
    expect(Math.abs(hits[3] / n - p)).toBeLessThan(tol(p));
    for (let j = 0; j < k; j++) if (j !== 3) expect(Math.abs(hits[j] / n - q)).toBeLessThan(tol(q));
  });
});
