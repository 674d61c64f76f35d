import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createLocalId, holdoutBucket } from '../../src/personalization';

const rnd = (b: Uint8Array<ArrayBuffer>) => crypto.getRandomValues(b);

describe('holdoutBucket', () => {
  it('is in [0, 1) and stable for the same id and slot', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (id, slot) => {
        const b = holdoutBucket(id, slot);
        expect(b).toBeGreaterThanOrEqual(0);
        expect(b).toBeLessThan(1);
        expect(holdoutBucket(id, slot)).toBe(b);
      }),
    );
  });

  it('differs across slots for the same visitor', () => {
    const id = createLocalId(rnd);
    const buckets = new Set(['a', 'b', 'c', 'hero', 'footer'].map((s) => holdoutBucket(id, s)));
    expect(buckets.size).toBe(5);
  });

  it.each([0.05, 0.2, 0.5])('holds out a %f share of 10,000 random visitors within 3 sigma', (share) => {
    const n = 10000;
    let held = 0;
    for (let i = 0; i < n; i++) if (holdoutBucket(createLocalId(rnd), 'hero') < share) held++;
    const sigma = Math.sqrt(n * share * (1 - share));
    expect(Math.abs(held - n * share)).toBeLessThan(3 * sigma);
  });

  it('is uniform over sequential ids too (chi-square, 10 bins)', () => {
    const n = 10000;
    const bins = new Array(10).fill(0);
    for (let i = 0; i < n; i++) bins[Math.floor(holdoutBucket(`visitor-${i}`, 'hero') * 10)]++;
    const chi = bins.reduce((s, o) => s + (o - n / 10) ** 2 / (n / 10), 0);
    expect(chi).toBeLessThan(27.88); // p = 0.001 for 9 degrees of freedom
  });
});

describe('createLocalId', () => {
  it('hex-encodes 16 bytes from the given source', () => {
    const id = createLocalId((b) => b.forEach((_, i) => (b[i] = i * 17)));
    expect(id).toBe('00112233445566778899aabbccddeeff');
    expect(createLocalId(rnd)).toMatch(/^[0-9a-f]{32}$/);
    expect(createLocalId(rnd)).not.toBe(createLocalId(rnd));
  });
});
