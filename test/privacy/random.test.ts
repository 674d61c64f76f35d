import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  defaultRandom,
  fromBase64url,
  randomBernoulli,
  randomId,
  randomInt,
  randomUint32,
  toBase64url,
  type RandomSource,
} from '../../src/privacy/index';
import { scriptedRandom, seededRandom } from './helpers';

/** Pearson chi-square statistic of observed counts against a uniform expectation. */
function chiSquare(counts: number[]): number {
  const total = counts.reduce((s, c) => s + c, 0);
  const e = total / counts.length;
  return counts.reduce((s, c) => s + ((c - e) * (c - e)) / e, 0);
}

describe('base64url', () => {
  it('encodes like Node and decodes back (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const s = toBase64url(bytes);
        expect(s).toBe(Buffer.from(bytes).toString('base64url'));
        expect(fromBase64url(s)).toEqual(bytes);
      }),
    );
  });
  it.each(['A', 'AB', 'AAB', 'AA==', 'A+', 'A/', 'AA A', 'AAAAA', 'é'])('rejects %j', (s) => {
    expect(fromBase64url(s)).toBeUndefined();
  });
  it('accepts the empty string', () => {
    expect(fromBase64url('')).toEqual(new Uint8Array(0));
  });
});

describe('random helpers', () => {
  it('randomUint32 reads 4 bytes little-endian', () => {
    expect(randomUint32(scriptedRandom([1, 2, 3, 4]))).toBe(0x04030201);
    expect(randomUint32(scriptedRandom([255, 255, 255, 255]))).toBe(4294967295);
  });

  it('randomInt rejects draws at or above the largest multiple of n', () => {
    // 2^32 mod 3 = 1, so 0xffffffff is the one rejected value for n = 3.
    const rs = scriptedRandom([255, 255, 255, 255, 5, 0, 0, 0]);
    expect(randomInt(3, rs)).toBe(2);
    expect(rs.calls).toBe(2);
    const rs2 = scriptedRandom([254, 255, 255, 255]);
    expect(randomInt(3, rs2)).toBe(4294967294 % 3);
    expect(rs2.calls).toBe(1);
  });

  it('randomInt covers the edges: n = 1 and n = 2^32', () => {
    expect(randomInt(1, scriptedRandom([255, 255, 255, 255]))).toBe(0);
    expect(randomInt(4294967296, scriptedRandom([255, 255, 255, 255]))).toBe(4294967295);
  });

  it.each<[string, RandomSource]>([
    ['seeded', seededRandom(7)],
    ['crypto', defaultRandom],
  ])('randomInt is uniform (chi-square, %s source)', (_, rs) => {
    for (const n of [6, 7, 10]) {
      const counts = new Array(n).fill(0);
      for (let i = 0; i < 30000; i++) counts[randomInt(n, rs)]++;
      // chi-square critical values at p = 0.0001 for df = 5, 6, 9
      expect(chiSquare(counts)).toBeLessThan({ 6: 25.74, 7: 27.86, 10: 33.72 }[n]!);
    }
  });

  it('randomInt has no modulo bias where a naive x % n would show it', () => {
    // n = 3·2^30: x % n puts half of all draws below 2^30 instead of a third.
    const rs = seededRandom(11);
    const draws = 30000;
    let low = 0;
    for (let i = 0; i < draws; i++) if (randomInt(3 * 2 ** 30, rs) < 2 ** 30) low++;
    const se = Math.sqrt((1 / 3) * (2 / 3) / draws);
    expect(Math.abs(low / draws - 1 / 3)).toBeLessThan(4 * se);
  });

  it('randomBernoulli has mean p, and p = 0 / p = 1 are exact', () => {
    const rs = seededRandom(3);
    let hits = 0;
    const draws = 50000;
    for (let i = 0; i < draws; i++) if (randomBernoulli(0.3, rs)) hits++;
    expect(Math.abs(hits / draws - 0.3)).toBeLessThan(4 * Math.sqrt((0.3 * 0.7) / draws));
    expect(randomBernoulli(1, scriptedRandom(new Array(8).fill(255)))).toBe(true);
    expect(randomBernoulli(0, scriptedRandom(new Array(8).fill(0)))).toBe(false);
    // uniform from all-zero bytes is 0: true for any p > 0
    expect(randomBernoulli(1e-9, scriptedRandom(new Array(8).fill(0)))).toBe(true);
  });

  it('randomId is 22 chars of canonical base64url of 16 bytes, and ids differ', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const id = randomId();
      expect(id).toMatch(/^[A-Za-z0-9_-]{21}[AQgw]$/);
      expect(fromBase64url(id)).toHaveLength(16);
      ids.add(id);
    }
    expect(ids.size).toBe(2000);
    expect(randomId(scriptedRandom(new Array(16).fill(255)))).toBe('_____________________w');
  });

  it('defaultRandom fills buffers over the 65,536-byte getRandomValues limit', () => {
    const b = new Uint8Array(200000);
    defaultRandom(b);
    expect(b.subarray(150000).some((x) => x !== 0)).toBe(true);
  });
});
