import type { RandomSource } from '../../src/privacy/index';
import type { CohortSpace } from '../../src/types';

/** A deterministic RandomSource: sfc32 seeded with `seed`, bytes little-endian. */
export function seededRandom(seed: number): RandomSource {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = (): number => {
    const t = (((a + b) | 0) + (d = (d + 1) | 0)) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (((c << 21) | (c >>> 11)) + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 15; i++) next();
  return (bytes) => {
    for (let i = 0; i < bytes.length; i += 4) {
      const x = next();
      bytes[i] = x;
      bytes[i + 1] = x >>> 8;
      bytes[i + 2] = x >>> 16;
      bytes[i + 3] = x >>> 24;
    }
  };
}

/** A RandomSource that hands out the given bytes in order (throws when they run out), counting calls. */
export function scriptedRandom(data: number[]): RandomSource & { calls: number } {
  let pos = 0;
  const rs = ((bytes: Uint8Array) => {
    rs.calls++;
    if (pos + bytes.length > data.length) throw new Error('scripted random exhausted');
    bytes.set(data.slice(pos, pos + bytes.length));
    pos += bytes.length;
  }) as RandomSource & { calls: number };
  rs.calls = 0;
  return rs;
}

/** A cohort space with k − 1 cohorts c0…c(k−2) and the fallback "other". */
export function makeSpace(k: number, id = 'space', version?: number): CohortSpace {
  const cohorts = Array.from({ length: k - 1 }, (_, i) => ({ id: `c${i}`, segment: `seg${i}` }));
  return { id, description: 'test space', cohorts, fallback: 'other', ...(version === undefined ? {} : { version }) };
}

/** Exact counts summing to n, proportional to `weights` (largest remainders). */
export function countsFor(n: number, weights: number[]): number[] {
  const total = weights.reduce((s, w) => s + w, 0);
  const raw = weights.map((w) => (n * w) / total);
  const counts = raw.map(Math.floor);
  let left = n - counts.reduce((s, c) => s + c, 0);
  const order = raw.map((r, i) => [r - Math.floor(r), i]).sort((x, y) => y[0] - x[0]);
  for (let j = 0; left > 0; j++, left--) counts[order[j][1]]++;
  return counts;
}
