// Small cohorts withheld on the wire: GET /v1/estimates nulls a suppressed cohort unless publish: 'all'.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCollector, createEstimator, runCli, startCollectorServer } from '../../src/server';
import { defineExperiment, readLift } from '../../src/index';
import { isCohortkitError } from '../../src/errors';
import { createMechanism, randomId } from '../../src/privacy';
import type { LDPReport } from '../../src/types';
import { seededRandom } from '../privacy/helpers';
import { EPOCH, SPACES, call } from './collector-helpers';

/** 300 visitors in cohort 0 and 10 in each other cohort of lifecycle (GRR, ε = 2). */
function skewedReports(): LDPReport[] {
  const rs = seededRandom(31);
  const m = createMechanism({ k: 4, epsilon: 2, mechanism: 'grr', random: rs });
  const truth = [...new Array(300).fill(0), ...new Array(10).fill(1), ...new Array(10).fill(2), ...new Array(10).fill(3)];
  return truth.map((i) => ({ v: 1, id: randomId(rs), space: 'lifecycle', spaceVersion: 1, epoch: EPOCH, k: 4, mechanism: 'grr', epsilon: 2, ...m.perturb(i) }) as LDPReport);
}

async function withCollector(extra: Record<string, unknown>, fn: (url: string) => Promise<void>) {
  const c = await startCollectorServer({ spaces: SPACES, minCount: 50, rateLimit: false, ...extra });
  try {
    await fn(c.url);
  } finally {
    await c.close();
  }
}

describe('collector publish', () => {
  const reports = skewedReports();
  const est = createEstimator({ spaces: SPACES, minCount: 50 });
  for (const r of reports) est.add(r);
  const raw = est.estimate('lifecycle');

  it('precondition: with minCount 50 and 330 reports some cohorts are suppressed and some are not', () => {
    expect(raw.cohorts.some((c) => c.suppressed)).toBe(true);
    expect(raw.cohorts.some((c) => !c.suppressed)).toBe(true);
  });

  it("default ('unsuppressed'): a suppressed cohort carries estimate, stderr and ci95 null; others are raw", async () => {
    await withCollector({}, async (url) => {
      expect((await call(url, 'POST', '/v1/reports', reports)).body.accepted).toBe(330);
      const body = (await call(url, 'GET', '/v1/estimates?space=lifecycle')).body;
      expect(body.n).toBe(330);
      expect(body.epoch).toBe(EPOCH);
      body.cohorts.forEach((c: Record<string, unknown>, i: number) => {
        const want = raw.cohorts[i]!;
        expect(c.id).toBe(want.id);
        expect(c.suppressed).toBe(want.suppressed);
        if (want.suppressed) expect(c).toEqual({ id: want.id, estimate: null, stderr: null, ci95: null, suppressed: true });
        else expect(c).toEqual(want);
      });
    });
  });

  it("'unsuppressed' given explicitly behaves as the default", async () => {
    await withCollector({ publish: 'unsuppressed' }, async (url) => {
      await call(url, 'POST', '/v1/reports', reports);
      const body = (await call(url, 'GET', '/v1/estimates?space=lifecycle')).body;
      const suppressed = body.cohorts.filter((c: { suppressed: boolean }) => c.suppressed);
      expect(suppressed.length).toBeGreaterThan(0);
      expect(suppressed.every((c: { estimate: unknown }) => c.estimate === null)).toBe(true);
    });
  });

  it("'all': the raw numbers of every cohort, as the estimator gives them", async () => {
    await withCollector({ publish: 'all' }, async (url) => {
      await call(url, 'POST', '/v1/reports', reports);
      const { version, rejected, ...body } = (await call(url, 'GET', '/v1/estimates?space=lifecycle')).body;
      expect(body).toEqual(raw);
    });
  });

  it('the estimator API is unchanged (raw numbers for the operator)', () => {
    for (const c of raw.cohorts) expect(typeof c.estimate).toBe('number');
  });

  it.each([['none'], [true], [''], ['ALL']])('rejects publish %j', (p) => {
    let err: unknown;
    try {
      createCollector({ spaces: SPACES, publish: p as never });
    } catch (e) {
      err = e;
    }
    expect(isCohortkitError(err) && err.code === 'invalid-options' && /^publish: expected "unsuppressed", "complementary" or "all"/.test(err.message)).toBe(true);
  });

  it('the CLI config file takes publish, naming the key when it is wrong', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ck-publish-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ spaces: SPACES, publish: 'everything' }));
    await expect(runCli(['--config', file, '--memory', '--port', '0'])).rejects.toThrow(/^config\.publish: expected "unsuppressed", "complementary" or "all"/);
    writeFileSync(file, JSON.stringify({ spaces: SPACES, publish: 'all', minCount: 50 }));
    const running = await runCli(['--config', file, '--memory', '--port', '0']);
    try {
      await call(running!.url, 'POST', '/v1/reports', reports);
      const body = (await call(running!.url, 'GET', '/v1/estimates?space=lifecycle')).body;
      expect(body.cohorts.every((c: { estimate: unknown }) => typeof c.estimate === 'number')).toBe(true);
      expect(body.cohorts.some((c: { suppressed: boolean }) => c.suppressed)).toBe(true);
    } finally {
      await running!.close();
    }
  });
});

/** `truth[i]` visitors in cohort i of lifecycle, reported with `mechanism` at ε = 2. */
function reportsOf(truth: number[], mechanism: 'grr' | 'ss' | 'oue', seed: number): LDPReport[] {
  const rs = seededRandom(seed);
  const m = createMechanism({ k: 4, epsilon: 2, mechanism, random: rs } as never);
  return truth.flatMap((count, i) =>
    Array.from({ length: count }, () => ({ v: 1, id: randomId(rs), space: 'lifecycle', spaceVersion: 1, epoch: EPOCH, k: 4, mechanism, epsilon: 2, ...m.perturb(i) }) as LDPReport),
  );
}

describe("the default ('unsuppressed') withholds exactly the suppressed cohorts (API.md)", () => {
  it('exactly one small cohort: only it is withheld; every cohort that clears minCount is published raw, suppressed: false', async () => {
    const reports = reportsOf([300, 200, 120, 2], 'grr', 41);
    const est = createEstimator({ spaces: SPACES, minCount: 50 });
    for (const r of reports) est.add(r);
    const raw = est.estimate('lifecycle');
    expect(raw.cohorts.map((c) => c.suppressed)).toEqual([false, false, false, true]); // precondition
    for (const publish of [undefined, 'unsuppressed']) {
      await withCollector({ perAddressLimit: false, ...(publish && { publish }) }, async (url) => {
        expect((await call(url, 'POST', '/v1/reports', reports)).body.accepted).toBe(reports.length);
        const body = (await call(url, 'GET', '/v1/estimates?space=lifecycle')).body;
        body.cohorts.forEach((c: Record<string, unknown>, i: number) => {
          const want = raw.cohorts[i]!;
          if (want.suppressed) expect(c).toEqual({ id: want.id, estimate: null, stderr: null, ci95: null, suppressed: true });
          else expect(c).toEqual(want);
        });
      });
    }
  });

  it('fast-check: a cohort is withheld iff it is suppressed (minCount given and ci95[0] < minCount)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 150 }), { minLength: 4, maxLength: 4 }),
        fc.constantFrom('grr' as const, 'ss' as const, 'oue' as const),
        fc.integer({ min: 1, max: 1e6 }),
        async (truth, mechanism, seed) => {
          const reports = reportsOf(truth, mechanism, seed);
          const est = createEstimator({ spaces: SPACES, minCount: 50 });
          for (const r of reports) est.add(r);
          const raw = est.estimate('lifecycle', EPOCH).cohorts;
          await withCollector({ perAddressLimit: false }, async (url) => {
            if (reports.length) await call(url, 'POST', '/v1/reports', reports);
            const body = (await call(url, 'GET', `/v1/estimates?space=lifecycle&epoch=${EPOCH}`)).body;
            body.cohorts.forEach((c: { estimate: unknown; suppressed: boolean }, i: number) => {
              expect(c.suppressed).toBe(raw[i]!.ci95[0] < 50);
              expect(c.estimate === null).toBe(c.suppressed);
            });
          });
        },
      ),
      { numRuns: 20 },
    );
  }, 60_000);
});

describe("complementary suppression (publish: 'complementary', opt-in)", () => {
  it('exactly one small cohort: the smallest other one is withheld too, so n − Σ published no longer gives the small cell', async () => {
    const reports = reportsOf([300, 200, 120, 2], 'grr', 41);
    const est = createEstimator({ spaces: SPACES, minCount: 50 });
    for (const r of reports) est.add(r);
    const raw = est.estimate('lifecycle');
    expect(raw.cohorts.map((c) => c.suppressed)).toEqual([false, false, false, true]); // precondition
    // GRR estimates sum to n: one withheld cell alone would be recomputable.
    expect(raw.cohorts.reduce((s, c) => s + c.estimate, 0)).toBeCloseTo(raw.n, 6);
    await withCollector({ publish: 'complementary', perAddressLimit: false }, async (url) => {
      expect((await call(url, 'POST', '/v1/reports', reports)).body.accepted).toBe(reports.length);
      const body = (await call(url, 'GET', '/v1/estimates?space=lifecycle')).body;
      const smallest = raw.cohorts.slice(0, 3).reduce((a, b) => (b.estimate < a.estimate ? b : a));
      body.cohorts.forEach((c: Record<string, unknown>, i: number) => {
        const want = raw.cohorts[i]!;
        if (want.suppressed || want.id === smallest.id) expect(c).toEqual({ id: want.id, estimate: null, stderr: null, ci95: null, suppressed: true });
        else expect(c).toEqual(want);
      });
      // What remains derivable is the sum of the two withheld cells, not either one.
      const published = body.cohorts.filter((c: { estimate: unknown }) => c.estimate !== null);
      expect(published).toHaveLength(2);
    });
  });

  it('publish: all is unchanged (the operator asked for every raw number)', async () => {
    const reports = reportsOf([300, 200, 120, 2], 'grr', 41);
    await withCollector({ publish: 'all', perAddressLimit: false }, async (url) => {
      expect((await call(url, 'POST', '/v1/reports', reports)).body.accepted).toBe(reports.length);
      const body = (await call(url, 'GET', '/v1/estimates?space=lifecycle')).body;
      expect(body.cohorts.every((c: { estimate: unknown }) => typeof c.estimate === 'number')).toBe(true);
      expect(body.cohorts.filter((c: { suppressed: boolean }) => c.suppressed)).toHaveLength(1);
    });
  });

  it('fast-check: whatever the truth and mechanism, the wire never withholds exactly one cohort, and never a published one is suppressed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 150 }), { minLength: 4, maxLength: 4 }),
        fc.constantFrom('grr' as const, 'ss' as const, 'oue' as const),
        fc.integer({ min: 1, max: 1e6 }),
        async (truth, mechanism, seed) => {
          const reports = reportsOf(truth, mechanism, seed);
          await withCollector({ publish: 'complementary', perAddressLimit: false }, async (url) => {
            if (reports.length) expect((await call(url, 'POST', '/v1/reports', reports)).body.accepted).toBe(reports.length);
            const body = (await call(url, 'GET', `/v1/estimates?space=lifecycle&epoch=${EPOCH}`)).body;
            const withheld = body.cohorts.filter((c: { estimate: unknown }) => c.estimate === null);
            expect(withheld.length).not.toBe(1);
            for (const c of body.cohorts) {
              if (c.estimate === null) expect(c).toMatchObject({ stderr: null, ci95: null, suppressed: true });
              else expect(c.suppressed).toBe(false);
            }
          });
        },
      ),
      { numRuns: 30 },
    );
  }, 60_000);
});

describe('complementary suppression and readers of published estimates', () => {
  it('an experiment whose unexposed cohort is tiny: by default only it is withheld and readLift reads the rest; with complementary the smallest arm cell too, and readLift says which', async () => {
    const { space } = defineExperiment({ id: 'hero', slot: 'hero', conversion: { event: 'purchase' } });
    const ids = [...space.cohorts.map((c) => c.id), space.fallback];
    expect(ids.at(-1)).toBe('unexposed'); // precondition: the fallback is the unexposed cohort
    const rs = seededRandom(57);
    const k = ids.length;
    const m = createMechanism({ k, epsilon: 2, mechanism: 'grr', random: rs });
    const truth = [300, 700, 260, 740, 0]; // holdout-converted, holdout-not, treated-converted, treated-not, unexposed
    const reports = truth.flatMap((count, i) =>
      Array.from({ length: count }, () => ({ v: 1, id: randomId(rs), space: space.id, spaceVersion: 1, epoch: EPOCH, k, mechanism: 'grr', epsilon: 2, ...m.perturb(i) }) as LDPReport),
    );
    const raw = createEstimator({ spaces: [space], minCount: 50 });
    for (const r of reports) raw.add(r);
    const d = await startCollectorServer({ spaces: [space], minCount: 50, rateLimit: false, perAddressLimit: false });
    try {
      for (const part of [reports.slice(0, 1000), reports.slice(1000)]) expect((await call(d.url, 'POST', '/v1/reports', part)).body.accepted).toBe(1000);
      const body = (await call(d.url, 'GET', `/v1/estimates?space=${space.id}`)).body;
      expect(body.cohorts.filter((x: { estimate: unknown }) => x.estimate === null).map((x: { id: string }) => x.id)).toEqual(['unexposed']);
      // The withheld unexposed cohort is filled in for the arithmetic: the lift of the raw estimate.
      expect(readLift(body).lift).toBeCloseTo(readLift(raw.estimate(space.id)).lift, 9);
    } finally {
      await d.close();
    }
    const c = await startCollectorServer({ spaces: [space], minCount: 50, rateLimit: false, perAddressLimit: false, publish: 'complementary' });
    try {
      for (const part of [reports.slice(0, 1000), reports.slice(1000)]) expect((await call(c.url, 'POST', '/v1/reports', part)).body.accepted).toBe(1000); // 256 KiB bodies
      const body = (await call(c.url, 'GET', `/v1/estimates?space=${space.id}`)).body;
      const withheld = body.cohorts.filter((x: { estimate: unknown }) => x.estimate === null).map((x: { id: string }) => x.id);
      expect(withheld).toHaveLength(2);
      expect(withheld).toContain('unexposed');
      expect(() => readLift(body)).toThrow(new RegExp(`${withheld.find((id: string) => id !== 'unexposed')} is withheld on the wire`));
      // The operator's raw numbers (publish: 'all') still read.
      const all = await startCollectorServer({ spaces: [space], minCount: 50, rateLimit: false, perAddressLimit: false, publish: 'all' });
      try {
        for (const part of [reports.slice(0, 1000), reports.slice(1000)]) await call(all.url, 'POST', '/v1/reports', part);
        expect(readLift((await call(all.url, 'GET', `/v1/estimates?space=${space.id}`)).body).holdout.n).toBeGreaterThan(0);
      } finally {
        await all.close();
      }
    } finally {
      await c.close();
    }
  });
});
