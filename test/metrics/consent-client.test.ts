// report.consentRates through the real client: what is sent, when, and never with GPC.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../../src/index';
import { consentIndex, consentSpace } from '../../src/metrics';
import { createEstimator } from '../../src/server';
import type { ClientOptions, LDPReport } from '../../src/types';
import { clock } from '../helpers';

const DAY = 86_400_000;
const setGPC = (v: boolean | undefined) => Object.defineProperty(navigator, 'globalPrivacyControl', { value: v, configurable: true });

function capture() {
  const sent: LDPReport[] = [];
  const requests: string[] = [];
  const orig = globalThis.fetch;
  globalThis.fetch = (async (url: string, init: RequestInit) => {
    requests.push(url);
    const b = JSON.parse(String(init.body));
    sent.push(...(Array.isArray(b) ? b : [b]));
    return new Response('{}', { status: 202 });
  }) as never;
  return { sent, requests, restore: () => (globalThis.fetch = orig) };
}
let cap: ReturnType<typeof capture>;
afterEach(() => {
  cap?.restore();
  setGPC(undefined);
});

const purposes = ['personalization', 'measurement'];
const opts = (consentRates: unknown, now: () => number, epsilon = 1): ClientOptions => ({
  storage: 'memory',
  now,
  segments: [{ id: 'reader', description: 'reads', rule: { event: 'article_view' } }],
  cohorts: [{ id: 'lifecycle', description: 'who', cohorts: [{ id: 'readers', segment: 'reader' }], fallback: 'others' }],
  report: { endpoint: 'https://collector.example/v1/reports', epsilon, consentRates: consentRates as 'exempt' },
});

describe("report.consentRates: 'consented'", () => {
  it('sends nothing without measurement; with it, one consent report per epoch next to the declared spaces', async () => {
    cap = capture();
    const now = clock();
    const c = await createClient(opts('consented', now, 20));
    await c.consent.update({ personalization: true });
    await c.track('article_view');
    await c.flush();
    expect(cap.sent).toEqual([]);
    await c.consent.update({ measurement: true });
    await c.flush();
    await c.flush();
    expect(cap.sent.map((r) => r.space).sort()).toEqual(['consent', 'lifecycle']);
    const r = cap.sent.find((x) => x.space === 'consent')!;
    expect(r).toMatchObject({ spaceVersion: 1, k: 9, mechanism: 'grr', epsilon: 20 });
    // ε = 20: the randomized value is the true cohort with probability 1 − 8/(e^20 + 8)
    expect((r as { value: number }).value).toBe(consentIndex(purposes, { personalization: 'granted', measurement: 'granted' }));
    expect((r as { value: number }).value).toBe(1 + 3);
    now.advance(DAY);
    await c.flush();
    expect(cap.sent.filter((x) => x.space === 'consent')).toHaveLength(2);
    await c.close();
  });

  it('the estimator accepts its reports with consentSpace(purposes)', async () => {
    cap = capture();
    const c = await createClient(opts('consented', clock()));
    await c.consent.update({ measurement: true, personalization: false });
    await c.flush();
    const est = createEstimator({ spaces: [consentSpace(purposes)] });
    const r = cap.sent.find((x) => x.space === 'consent')!;
    expect(est.add(r)).toEqual({ ok: true });
    expect(est.estimate('consent').cohorts[8]!.id).toBe('personalization:denied|measurement:denied');
    await c.close();
  });
});

describe("report.consentRates: 'exempt'", () => {
  it('without any consent: exactly one report per epoch, of the consent space only, and nothing stored for other spaces', async () => {
    cap = capture();
    const now = clock();
    const c = await createClient(opts('exempt', now, 20));
    await c.track('article_view'); // no consent: not stored
    for (let i = 0; i < 3; i++) await c.flush();
    now.advance(3_600_000);
    await c.flush();
    expect(cap.sent).toHaveLength(1);
    expect(cap.sent[0]).toMatchObject({ space: 'consent', k: 9 });
    expect((cap.sent[0] as { value: number }).value).toBe(0); // everything unset
    expect(cap.requests).toEqual(['https://collector.example/v1/reports']);
    const data = await c.exportData();
    expect(data.signals).toEqual([]);
    expect(data.reports.sent.map((r) => r.space)).toEqual(['consent']);
    now.advance(DAY);
    await c.flush();
    expect(cap.sent.map((r) => r.space)).toEqual(['consent', 'consent']);
    await c.close();
  });

  it('a denial is reported from the next epoch on; declared spaces still need measurement', async () => {
    cap = capture();
    const now = clock();
    const c = await createClient(opts('exempt', now, 20));
    await c.flush();
    await c.consent.update({ personalization: false, measurement: false });
    await c.flush();
    expect(cap.sent).toHaveLength(1); // same epoch: no second report
    now.advance(DAY);
    await c.flush();
    expect(cap.sent.map((r) => [r.space, (r as { value: number }).value])).toEqual([
      ['consent', 0],
      ['consent', 2 + 2 * 3],
    ]);
    await c.consent.update({ measurement: true });
    now.advance(DAY);
    await c.flush();
    expect(cap.sent.slice(2).map((r) => r.space)).toEqual(['consent']); // lifecycle relies on personalization too
    await c.consent.update({ personalization: true });
    now.advance(DAY);
    await c.flush();
    expect(cap.sent.slice(3).map((r) => r.space).sort()).toEqual(['consent', 'lifecycle']);
    await c.close();
  });

  it('the pass at start does not draw it: a banner answer during the visit is what gets reported', async () => {
    cap = capture();
    const c = await createClient(opts('exempt', clock(), 20));
    await new Promise((r) => setTimeout(r, 50)); // the start pass has run
    expect(cap.requests).toEqual([]);
    expect((await c.exportData()).reports.queued).toEqual([]);
    await c.consent.update({ personalization: true, measurement: false }, { source: 'banner' });
    await c.flush();
    expect(cap.sent.map((r) => [r.space, (r as { value: number }).value])).toEqual([['consent', 1 + 2 * 3]]);
    await c.close();
  });

  it('with GPC on: nothing at all, in any epoch, whatever is tracked', async () => {
    setGPC(true);
    cap = capture();
    const now = clock();
    const c = await createClient(opts('exempt', now));
    for (let d = 0; d < 3; d++) {
      await c.track('article_view');
      await c.flush();
      now.advance(DAY);
    }
    expect(cap.requests).toEqual([]);
    expect((await c.exportData()).reports).toEqual({ queued: [], sent: [] });
    await c.close();
  });

  it('a report queued before GPC turned on is held while it is on', async () => {
    cap = capture();
    const now = clock();
    let fail = true;
    globalThis.fetch = (async () => (fail ? new Response('', { status: 503 }) : new Response('{}', { status: 202 }))) as never;
    const c = await createClient(opts('exempt', now));
    await c.flush();
    expect((await c.exportData()).reports.queued).toHaveLength(1);
    setGPC(true);
    fail = false;
    cap = capture();
    expect(await c.flush()).toEqual({ sent: 0, queued: 1 });
    expect(cap.requests).toEqual([]);
    setGPC(false);
    expect(await c.flush()).toEqual({ sent: 1, queued: 0 });
    await c.close();
  });
});

describe('report.consentRates: options', () => {
  it("'off' (the default) adds no space", async () => {
    cap = capture();
    const c = await createClient({ ...opts('off', clock()) });
    await c.consent.update({ measurement: true, personalization: true });
    await c.flush();
    expect(cap.sent.map((r) => r.space)).toEqual(['lifecycle']);
    await c.close();
  });

  it.each([['yes'], [true], [1], [null]])('rejects %s with the path', async (v) => {
    await expect(createClient(opts(v, clock()))).rejects.toMatchObject({ code: 'invalid-options', message: expect.stringMatching(/^report\.consentRates: expected one of off, consented, exempt/) });
  });

  it('a declared space named "consent" is rejected while it is on; more than 6 purposes too', async () => {
    const o = opts('consented', clock());
    o.cohorts = [{ id: 'consent', description: 'x', cohorts: [{ id: 'r', segment: 'reader' }], fallback: 'o' }];
    await expect(createClient(o)).rejects.toMatchObject({ code: 'invalid-options', message: expect.stringMatching(/reserved/) });
    const p = { ...opts('exempt', clock()), purposes: ['personalization', 'measurement', 'a', 'b', 'c', 'd', 'e'] };
    await expect(createClient(p)).rejects.toMatchObject({ code: 'invalid-options', message: expect.stringMatching(/^report\.consentRates: at most 6/) });
  });
});

describe("report.consentRates 'exempt': privacy invariants (fast-check)", () => {
  type Step = { kind: 'track' } | { kind: 'flush' } | { kind: 'advance'; ms: number } | { kind: 'consent'; p: boolean };
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.constant({ kind: 'track' as const }),
    fc.constant({ kind: 'flush' as const }),
    fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 3 * DAY }) }),
    fc.record({ kind: fc.constant('consent' as const), p: fc.boolean() }),
  );
  const run = async (steps: Step[], gpc: boolean) => {
    setGPC(gpc);
    cap = capture();
    const now = clock();
    const c = await createClient({ ...opts('exempt', now), report: { endpoint: 'https://collector.example/v1/reports', consentRates: 'exempt' } });
    for (const s of steps) {
      if (s.kind === 'track') await c.track('article_view');
      else if (s.kind === 'flush') await c.flush();
      else if (s.kind === 'advance') now.advance(s.ms);
      else await c.consent.update({ personalization: s.p, measurement: false });
    }
    await c.flush();
    await c.close();
    cap.restore();
    return cap.sent;
  };

  it('without measurement: only consent-space reports, at most one per epoch; with GPC: nothing at all', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 12 }), fc.boolean(), async (steps, gpc) => {
        const sent = await run(steps, gpc);
        if (gpc) {
          expect(sent).toEqual([]);
          return;
        }
        expect(sent.every((r) => r.space === 'consent')).toBe(true);
        const epochs = sent.map((r) => r.epoch);
        expect(new Set(epochs).size).toBe(epochs.length);
        expect(sent.length).toBeGreaterThanOrEqual(1); // the final flush reports the current epoch
      }),
      { numRuns: 40 },
    );
  });
});
