import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCohortkitError } from '../../src/errors';
import { OUE_MAX_K, chooseMechanism, createMechanism, fromBase64url, olhHash, supports } from '../../src/privacy/index';
import type { MechanismName } from '../../src/types';
import { seededRandom } from './helpers';

const E = Math.E;

function expectInvalid(fn: () => unknown, name: string): void {
  try {
    fn();
  } catch (e) {
    expect(isCohortkitError(e)).toBe(true);
    expect((e as { code: string }).code).toBe('invalid-argument');
    expect((e as Error).message.startsWith(`${name}:`)).toBe(true);
    return;
  }
  throw new Error(`expected ${name} to be rejected`);
}

describe('parameters (Wang et al. 2017)', () => {
  it('GRR', () => {
    const m = createMechanism({ k: 5, epsilon: 1, mechanism: 'grr' });
    expect(m.name).toBe('grr');
    expect(m.p).toBeCloseTo(E / (E + 4), 14);
    expect(m.q).toBeCloseTo(1 / (E + 4), 14);
    expect(m.g).toBeUndefined();
    expect('g' in m).toBe(false);
  });
  it('OUE', () => {
    const m = createMechanism({ k: 5, epsilon: 1, mechanism: 'oue' });
    expect(m.p).toBe(0.5);
    expect(m.q).toBeCloseTo(1 / (E + 1), 14);
  });
  it('OLH: g = max(2, round(e^ε + 1)), p = e^ε/(e^ε+g−1), q = 1/g', () => {
    const m = createMechanism({ k: 50, epsilon: 1, mechanism: 'olh' });
    expect(m.g).toBe(4);
    expect(m.p).toBeCloseTo(E / (E + 3), 14);
    expect(m.q).toBe(0.25);
    expect(createMechanism({ k: 50, epsilon: 0.1, mechanism: 'olh' }).g).toBe(2);
    expect(createMechanism({ k: 50, epsilon: 4, mechanism: 'olh' }).g).toBe(Math.round(Math.exp(4) + 1));
    const huge = createMechanism({ k: 50, epsilon: 800, mechanism: 'olh' });
    expect(huge.g).toBe(2 ** 32);
    expect(huge.p).toBe(1);
  });
  it('variance(n, nv) = n·q(1−q)/(p−q)² + nv·(1−p−q)/(p−q)', () => {
    for (const name of ['grr', 'oue', 'olh'] as const) {
      const m = createMechanism({ k: 7, epsilon: 1.5, mechanism: name });
      const { p, q } = m;
      expect(m.variance(1000)).toBeCloseTo((1000 * q * (1 - q)) / (p - q) ** 2, 8);
      expect(m.variance(1000, 300)).toBeCloseTo((1000 * q * (1 - q)) / (p - q) ** 2 + (300 * (1 - p - q)) / (p - q), 8);
    }
  });
  it('large ε stays finite: p → 1, q → 0', () => {
    const m = createMechanism({ k: 5, epsilon: 1000, mechanism: 'grr' });
    expect(m.p).toBe(1);
    expect(m.q).toBe(0);
    expect(m.variance(10, 3)).toBe(0);
  });
});

describe('chooseMechanism (v1.1: lowest variance among grr, olh and, for k ≤ 64, ss)', () => {
  it.each([
    [5, 1, 'grr'], // d would be 1: SS is GRR, the tie goes to GRR
    [14, 2, 'grr'],
    [2, 0.01, 'grr'],
    [10, 1, 'ss'],
    [11, 1, 'ss'],
    [32, 1, 'ss'], // 8% under OLH
    [32, 2, 'ss'], // 15% under OLH
    [64, 1, 'ss'],
    [65, 1, 'olh'], // SS only up to k = 64
    [1024, 4, 'olh'],
    [165, 4, 'grr'],
    [166, 4, 'olh'],
  ])('k=%d ε=%d → %s', (k, eps, name) => {
    expect(chooseMechanism(k, eps)).toBe(name);
    expect(createMechanism({ k, epsilon: eps }).name).toBe(name);
  });
  it('SS saves 8% at (32, 1) and 15% at (32, 2) over OLH', () => {
    const ratio = (eps: number) => createMechanism({ k: 32, epsilon: eps, mechanism: 'ss' }).variance(1) / createMechanism({ k: 32, epsilon: eps, mechanism: 'olh' }).variance(1);
    expect(ratio(1)).toBeCloseTo(0.92, 2);
    expect(ratio(2)).toBeCloseTo(0.853, 2);
  });
  it('always the argmin of the three variances (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 200 }), fc.double({ min: 0.05, max: 8, noNaN: true }), (k, eps) => {
        const name = chooseMechanism(k, eps);
        const v = (m: MechanismName) => createMechanism({ k, epsilon: eps, mechanism: m }).variance(1);
        const options: MechanismName[] = k <= 64 ? ['grr', 'olh', 'ss'] : ['grr', 'olh'];
        for (const o of options) expect(v(name)).toBeLessThanOrEqual(v(o) * (1 + 1e-12));
      }),
      { numRuns: 200 },
    );
  });
});

describe('subset selection (ss)', () => {
  it('p, q from the contract with the optimal d, exposed as m.d', () => {
    const m = createMechanism({ k: 32, epsilon: 1, mechanism: 'ss' });
    expect(m.name).toBe('ss');
    expect(m.d).toBe(8);
    const e = Math.exp(1);
    expect(m.p).toBeCloseTo((8 * e) / (8 * e + 24), 14);
    expect(m.q).toBeCloseTo(((8 * e * 7) / 31 + (8 * 24) / 31) / (8 * e + 24), 14);
    expect('g' in m).toBe(false);
  });
  it('perturb returns { items } with exactly d bits, none at or above k', () => {
    const m = createMechanism({ k: 20, epsilon: 1.5, mechanism: 'ss', random: seededRandom(3) });
    for (let i = 0; i < 50; i++) {
      const v = m.perturb(i % 20) as { items: string };
      expect(Object.keys(v)).toEqual(['items']);
      expect(supports({ mechanism: 'ss', ...v }, 20).length).toBe(m.d);
      const b = fromBase64url(v.items)!;
      expect(b.length).toBe(3);
      expect(b[2] >> 4).toBe(0);
    }
  });
  it('refuses k above 4096 on request', () => {
    expectInvalid(() => createMechanism({ k: 5000, epsilon: 1, mechanism: 'ss' }), 'k');
  });
});

describe('OUE k cap (OUE_MAX_K)', () => {
  it('refuses k above 262,144 at createMechanism, as invalid-argument naming k (not a RangeError at perturb)', () => {
    // 2^32 used to be accepted, then perturb threw a raw RangeError allocating 8·k bytes.
    for (const k of [2 ** 32, 262_145]) expectInvalid(() => createMechanism({ k, epsilon: 1, mechanism: 'oue' }), 'k');
    expect(OUE_MAX_K).toBe(262_144);
    // 'auto' never picks OUE: a large k stays accepted there, as with GRR and OLH on request.
    expect(createMechanism({ k: 2 ** 32, epsilon: 1 }).name).not.toBe('oue');
  });
  it('takes k = 262,144: a report of 32 KiB, 43,691 base64url characters (one keepalive request holds it)', () => {
    const m = createMechanism({ k: OUE_MAX_K, epsilon: 1, mechanism: 'oue', random: seededRandom(9) });
    const v = m.perturb(OUE_MAX_K - 1) as { bits: string };
    expect(v.bits.length).toBe(43_691);
    expect(fromBase64url(v.bits)!.length).toBe(OUE_MAX_K / 8);
  });
});

describe('validation', () => {
  it.each<[string, Record<string, unknown>]>([
    ['k', { k: 1, epsilon: 1 }],
    ['k', { k: 2.5, epsilon: 1 }],
    ['k', { k: NaN, epsilon: 1 }],
    ['k', { k: '5', epsilon: 1 }],
    ['k', { k: 2 ** 32 + 1, epsilon: 1 }],
    ['epsilon', { k: 5, epsilon: 0 }],
    ['epsilon', { k: 5, epsilon: -1 }],
    ['epsilon', { k: 5, epsilon: Infinity }],
    ['epsilon', { k: 5, epsilon: NaN }],
    ['epsilon', { k: 5, epsilon: '1' }],
    ['mechanism', { k: 5, epsilon: 1, mechanism: 'rr' }],
    ['random', { k: 5, epsilon: 1, random: 42 }],
  ])('createMechanism rejects a bad %s: %j', (name, opts) => {
    expectInvalid(() => createMechanism(opts as never), name);
  });
  it('chooseMechanism validates too', () => {
    expectInvalid(() => chooseMechanism(1, 1), 'k');
    expectInvalid(() => chooseMechanism(5, -2), 'epsilon');
  });
  it.each([-1, 5, 1.5, NaN, '1'])('perturb rejects index %j', (index) => {
    for (const mechanism of ['grr', 'oue', 'olh'] as const) {
      expectInvalid(() => createMechanism({ k: 5, epsilon: 1, mechanism }).perturb(index as number), 'index');
    }
  });
});

describe('perturb output', () => {
  it('has the mechanism-specific shape and supports valid indices (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 70 }),
        fc.double({ min: 0.05, max: 6, noNaN: true }),
        fc.constantFrom<MechanismName>('grr', 'oue', 'olh'),
        fc.nat(),
        fc.nat(),
        (k, epsilon, mechanism, idx, seed) => {
          const m = createMechanism({ k, epsilon, mechanism, random: seededRandom(seed) });
          const index = idx % k;
          const r = m.perturb(index) as unknown as Record<string, number> & { bits: string };
          if (mechanism === 'grr') {
            expect(Object.keys(r)).toEqual(['value']);
            expect(Number.isInteger(r.value) && r.value >= 0 && r.value < k).toBe(true);
          } else if (mechanism === 'oue') {
            expect(Object.keys(r)).toEqual(['bits']);
            const bytes = fromBase64url(r.bits)!;
            expect(bytes).toHaveLength(Math.ceil(k / 8));
            if (k % 8) expect(bytes[bytes.length - 1] >> k % 8).toBe(0);
          } else {
            expect(Object.keys(r).sort()).toEqual(['g', 'seed', 'value']);
            expect(r.g).toBe(m.g);
            expect(Number.isInteger(r.seed) && r.seed >= 0 && r.seed < 2 ** 32).toBe(true);
            expect(Number.isInteger(r.value) && r.value >= 0 && r.value < m.g!).toBe(true);
          }
          for (const i of supports({ ...r, mechanism } as never, k)) expect(i >= 0 && i < k).toBe(true);
        },
      ),
    );
  });

  it('supports(): GRR value, OUE set bits, OLH matching hashes', () => {
    expect(supports({ mechanism: 'grr', value: 3 }, 5)).toEqual([3]);
    expect(supports({ mechanism: 'oue', bits: 'BQE' }, 10)).toEqual([0, 2, 8]); // 0b00000101, 0b00000001
    const seed = 12345;
    const expected = [...Array(40).keys()].filter((i) => olhHash(i, seed, 4) === 1);
    expect(expected.length).toBeGreaterThan(0);
    expect(supports({ mechanism: 'olh', seed, g: 4, value: 1 }, 40)).toEqual(expected);
  });

  it('uses crypto.getRandomValues by default', () => {
    const m = createMechanism({ k: 1000, epsilon: 0.5, mechanism: 'grr' });
    const values = new Set(Array.from({ length: 200 }, () => (m.perturb(0) as { value: number }).value));
    expect(values.size).toBeGreaterThan(100);
  });
});
