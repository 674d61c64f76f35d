// Small cohorts withheld on the wire: GET /v1/estimates nulls a suppressed cohort unless publish: 'all'.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCollector, createEstimator, runCli, startCollectorServer } from '../../src/server';
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
    expect(isCohortkitError(err) && err.code === 'invalid-options' && /^publish: expected "unsuppressed" or "all"/.test(err.message)).toBe(true);
  });

  it('the CLI config file takes publish, naming the key when it is wrong', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ck-publish-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ spaces: SPACES, publish: 'everything' }));
    await expect(runCli(['--config', file, '--memory', '--port', '0'])).rejects.toThrow(/^config\.publish: expected "unsuppressed" or "all"/);
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
