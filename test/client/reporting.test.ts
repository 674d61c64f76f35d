import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClient } from '../../src/index';
import { createEstimator } from '../../src/server';
import type { ClientOptions, CohortSpace, LDPReport, SegmentDefinition } from '../../src/types';
import { clock } from '../helpers';

const DAY = 86_400_000;
let n = 0;
const ns = () => `rep${n++}`;

const segments: SegmentDefinition[] = [
  { id: 'reader', description: 'reads', rule: { event: 'article_view' } },
  { id: 'buyer', description: 'buys', rule: { event: 'purchase' } },
  { id: 'health', description: 'health interest', sensitive: true, rule: { event: 'health_view' } },
];
const spaces: CohortSpace[] = [
  { id: 'lifecycle', description: 'who', cohorts: [{ id: 'buyers', segment: 'buyer' }, { id: 'readers', segment: 'reader' }], fallback: 'others' },
  { id: 'big', description: 'many cohorts', cohorts: Array.from({ length: 40 }, (_, i) => ({ id: `c${i}`, segment: i % 2 ? 'reader' : 'buyer' })), fallback: 'none' },
];
const WIRE = {
  grr: ['v', 'id', 'space', 'spaceVersion', 'epoch', 'k', 'mechanism', 'epsilon', 'value'],
  oue: ['v', 'id', 'space', 'spaceVersion', 'epoch', 'k', 'mechanism', 'epsilon', 'bits'],
  olh: ['v', 'id', 'space', 'spaceVersion', 'epoch', 'k', 'mechanism', 'epsilon', 'seed', 'g', 'value'],
  ss: ['v', 'id', 'space', 'spaceVersion', 'epoch', 'k', 'mechanism', 'epsilon', 'items'],
};

/** A fetch that records every request and answers 202 (or hangs / fails on demand). */
function fakeFetch(mode: 'ok' | 'fail' | 'hang' = 'ok') {
  const calls: Array<{ url: string; init: RequestInit; body: unknown }> = [];
  const f = vi.fn(async (url: string, init: RequestInit) => {
    calls.push({ url, init, body: JSON.parse(String(init.body)) });
    if (mode === 'hang') return new Promise<Response>((_, reject) => init.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
    return new Response('{}', { status: mode === 'ok' ? 202 : 503 });
  });
  return Object.assign(f, { calls, setMode: (m: typeof mode) => (mode = m) });
}
const bodies = (calls: Array<{ body: unknown }>) => calls.flatMap((c) => (Array.isArray(c.body) ? c.body : [c.body])) as LDPReport[];

let restore: (() => void) | undefined;
afterEach(() => restore?.());
function useFetch(f: ReturnType<typeof fakeFetch>) {
  const orig = globalThis.fetch;
  globalThis.fetch = f as never;
  restore = () => (globalThis.fetch = orig);
}

const opts = (extra: Partial<ClientOptions> = {}): ClientOptions => ({
  namespace: ns(),
  segments,
  cohorts: spaces,
  report: { endpoint: 'https://collector.example/v1/reports?site=1', epsilon: 1 },
  ...extra,
});

describe('reporting', () => {
  it('sends nothing without measurement', async () => {
    const f = fakeFetch();
    useFetch(f);
    const c = await createClient(opts());
    await c.consent.update({ personalization: true });
    await c.track('purchase');
    expect(await c.flush()).toEqual({ sent: 0, queued: 0 });
    expect(f).not.toHaveBeenCalled();
    expect((await c.exportData()).reports).toEqual({ queued: [], sent: [] });
  });

  it('with consent, flush() sends exactly one report per space, with the right request init', async () => {
    const f = fakeFetch();
    useFetch(f);
    const c = await createClient(opts());
    const seen: unknown[] = [];
    c.on('report', (r) => seen.push(r));
    await c.consent.update({ personalization: true, measurement: true });
    await c.track('purchase');
    expect(await c.flush()).toEqual({ sent: 2, queued: 0 });
    const reports = bodies(f.calls);
    expect(reports.map((r) => r.space).sort()).toEqual(['big', 'lifecycle']);
    for (const r of reports) expect(Object.keys(r)).toEqual(WIRE[r.mechanism]);
    expect(reports.find((r) => r.space === 'lifecycle')!.mechanism).toBe('grr');
    expect(reports.find((r) => r.space === 'big')!.mechanism).toBe('ss'); // k = 41 at ε = 1: subset selection has the lowest variance
    expect(seen).toEqual(reports);
    const init = f.calls[0]!.init;
    expect(f.calls[0]!.url).toBe('https://collector.example/v1/reports?site=1');
    expect(init).toMatchObject({ method: 'POST', credentials: 'omit', referrerPolicy: 'no-referrer', keepalive: true });
    expect(init.headers).toEqual({ 'content-type': 'text/plain;charset=UTF-8' });
    // same epoch: nothing new
    expect(await c.flush()).toEqual({ sent: 0, queued: 0 });
    expect(f.calls).toHaveLength(1);
    const x = await c.exportData();
    expect(x.reports.sent).toHaveLength(2);
    expect(x.privacy.epochs).toEqual([{ epoch: reports[0]!.epoch, spent: 2, budget: 2, skipped: [] }]);
  });

  it('memoizes: the next epoch repeats the randomized value with a fresh id', async () => {
    const f = fakeFetch();
    useFetch(f);
    const now = clock();
    const c = await createClient(opts({ now }));
    await c.consent.update({ personalization: true, measurement: true });
    await c.track('purchase');
    await c.flush();
    now.advance(DAY);
    await c.flush();
    const r = bodies(f.calls).filter((x) => x.space === 'lifecycle');
    expect(r).toHaveLength(2);
    expect(r[1]!.epoch).toBe(r[0]!.epoch + 1);
    expect(r[1]!.id).not.toBe(r[0]!.id);
    expect((r[1] as { value: number }).value).toBe((r[0] as { value: number }).value);
  });

  it('a failing endpoint keeps reports queued; a retry re-sends the same id once it recovers', async () => {
    const f = fakeFetch('fail');
    useFetch(f);
    const c = await createClient(opts({ cohorts: [spaces[0]!] }));
    await c.consent.update({ personalization: true, measurement: true });
    expect(await c.flush()).toEqual({ sent: 0, queued: 1 });
    f.setMode('ok');
    expect(await c.flush()).toEqual({ sent: 1, queued: 0 });
    const ids = bodies(f.calls).map((r) => r.id);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);
  });

  it('flush() resolves within 10 s when the endpoint hangs', async () => {
    const f = fakeFetch('hang');
    useFetch(f);
    const c = await createClient(opts({ cohorts: [spaces[0]!] }));
    await c.consent.update({ personalization: true, measurement: true });
    const t = Date.now();
    expect(await c.flush()).toEqual({ sent: 0, queued: 1 });
    expect(Date.now() - t).toBeLessThan(10_000);
  }, 15_000);

  it('the budget skips spaces past the cap, in declaration order, and exportData says so', async () => {
    const f = fakeFetch();
    useFetch(f);
    const c = await createClient(opts({ report: { endpoint: 'https://c.example/r', epsilon: 1, budget: 1 } }));
    await c.consent.update({ personalization: true, measurement: true });
    expect((await c.flush()).sent).toBe(1);
    expect(bodies(f.calls).map((r) => r.space)).toEqual(['lifecycle']);
    const [e] = (await c.exportData()).privacy.epochs;
    expect(e).toMatchObject({ spent: 1, budget: 1, skipped: ['big'] });
  });

  it('withdrawing measurement empties the outbox before resolving, with a receipt', async () => {
    const f = fakeFetch('fail');
    useFetch(f);
    const c = await createClient(opts());
    await c.consent.update({ personalization: true, measurement: true });
    expect((await c.flush()).queued).toBe(2);
    await c.consent.update({ measurement: false });
    expect((await c.exportData()).reports.queued).toEqual([]);
    expect((await c.consent.history()).at(-1)!.purged).toMatchObject({ reports: 2 });
    f.setMode('ok');
    expect(await c.flush()).toEqual({ sent: 0, queued: 0 });
  });

  it('a space relying on personalization reports only while it is granted too', async () => {
    const f = fakeFetch();
    useFetch(f);
    const c = await createClient(opts());
    await c.consent.update({ measurement: true });
    expect(await c.flush()).toEqual({ sent: 0, queued: 0 });
  });

  it('a cohort space naming a sensitive segment is invalid-options', async () => {
    const err = await createClient(
      opts({ cohorts: [{ id: 's', description: 'd', cohorts: [{ id: 'h', segment: 'health' }], fallback: 'f' }] }),
    ).catch((e) => e);
    expect(err.code).toBe('invalid-options');
    expect(err.message).toMatch(/^cohorts\[0\]\.cohorts\[0\]\.segment/);
  });

  it('every request body holds only wire-format fields, whatever the options (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('auto', 'grr', 'oue', 'olh', 'ss'),
        fc.constantFrom(0.5, 1, 2, 4),
        fc.constantFrom('day', 'week'),
        fc.array(fc.constantFrom('article_view', 'purchase'), { maxLength: 4 }),
        async (mechanism, epsilon, epoch, events) => {
          const f = fakeFetch();
          useFetch(f);
          // A fixed clock: on the wall clock a run that crosses midnight UTC (or a week's end) would make
          // a third, legitimate report for the new epoch (a likely cause of the one failure seen here).
          const now = () => Date.UTC(2026, 5, 10, 12);
          const c = await createClient(opts({ now, report: { endpoint: 'https://c.example/r', epsilon, epoch, mechanism } }));
          await c.consent.update({ personalization: true, measurement: true });
          for (const e of events) await c.track(e);
          await c.flush();
          const est = createEstimator({ spaces });
          for (const r of bodies(f.calls)) {
            expect(Object.keys(r)).toEqual(WIRE[r.mechanism]);
            expect(est.add(r)).toEqual({ ok: true });
          }
          // One report per space and epoch, never sent twice (distinct ids, one per space).
          expect(new Set(bodies(f.calls).map((r) => r.id)).size).toBe(bodies(f.calls).length);
          expect(bodies(f.calls).map((r) => r.space).sort()).toEqual(spaces.map((s) => s.id).sort());
          restore!();
          await c.close();
        },
      ),
      { numRuns: 20 },
    );
  });
});

describe('outbox housekeeping', () => {
  it('copies of sent reports are deleted once their epoch has ended', async () => {
    const f = fakeFetch();
    useFetch(f);
    const now = clock();
    const c = await createClient(opts({ now, cohorts: [spaces[0]!] }));
    await c.consent.update({ personalization: true, measurement: true });
    await c.flush();
    const first = (await c.exportData()).reports.sent;
    expect(first).toHaveLength(1);
    now.advance(DAY);
    await c.flush();
    const sent = (await c.exportData()).reports.sent;
    expect(sent).toHaveLength(1);
    expect(sent[0]!.epoch).toBe(first[0]!.epoch + 1);
    restore!();
  });
});
