import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { murmur3_32, olhHash } from '../../src/privacy/index';
import * as ldp from '../../src/ldp';

interface Vector { index: number; seed: number; hash: number; mod: Record<string, number> }
const vectors: Vector[] = JSON.parse(readFileSync(join(__dirname, 'olh-murmur3.json'), 'utf8')).vectors;

const le = (i: number): Uint8Array => new Uint8Array([i & 255, (i >>> 8) & 255, (i >>> 16) & 255, i >>> 24]);

describe('murmur3_32', () => {
  it('has the shared test vectors', () => expect(vectors.length).toBeGreaterThanOrEqual(8));

  it.each(vectors)('index $index seed $seed → $hash', ({ index, seed, hash, mod }) => {
    expect(murmur3_32(le(index), seed)).toBe(hash);
    for (const [g, v] of Object.entries(mod)) expect(olhHash(index, seed, Number(g))).toBe(v);
  });

  it.each<[string, number, number]>([
    ['', 0, 0],
    ['', 1, 0x514e28b7],
    ['', 0xffffffff, 0x81f16f39],
    ['a', 0x9747b28c, 0x7fa09ea6],
    ['aa', 0x9747b28c, 0x5d211726],
    ['aaa', 0x9747b28c, 0x283e0130],
    ['aaaa', 0x9747b28c, 0x5a97808a],
    ['abc', 0, 0xb3dd93fa],
    ['Hello, world!', 0x9747b28c, 0x24884cba],
    ['The quick brown fox jumps over the lazy dog', 0x9747b28c, 0x2fa826cd],
  ])('reference vector %j seed %d', (s, seed, hash) => {
    expect(murmur3_32(new TextEncoder().encode(s), seed)).toBe(hash);
  });

  it('olhHash equals murmur3_32(uint32le(index), seed) mod g (property)', () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }), fc.integer({ min: 2, max: 2 ** 32 }), (i, seed, g) => {
        expect(olhHash(i, seed, g)).toBe(murmur3_32(le(i), seed) % g);
      }),
    );
  });

  it('is re-exported from cohortkit/ldp', () => {
    expect(ldp.murmur3_32).toBe(murmur3_32);
    expect(ldp.olhHash).toBe(olhHash);
    expect(typeof ldp.createMechanism).toBe('function');
    expect(typeof ldp.chooseMechanism).toBe('function');
  });
});
