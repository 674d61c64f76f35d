// A failure drawing one space's report (here: buildReport and reusesMemo made to throw for space "bad") is
// reported and leaves the other spaces reporting; the failed space neither spends nor counts as
// reported, so the next pass tries it again. (Its own file: the module mock applies to all of it.)
import { afterEach, expect, it, vi } from 'vitest';
import { createClient } from '../../src/index';
import type { CohortSpace, LDPReport, SegmentDefinition } from '../../src/types';

let failing = true;
vi.mock('../../src/reporting/report', async (importOriginal) => {
  const { CohortkitError } = await import('../../src/errors');
  const real = await importOriginal<typeof import('../../src/reporting/report')>();
  return {
    ...real,
    // Both throw for "bad", as createMechanism did in both for a space the mechanism cannot take.
    buildReport: (args: Parameters<typeof real.buildReport>[0]) => {
      if (failing && args.space.id === 'bad') throw new CohortkitError('invalid-argument', 'k: draw failed');
      return real.buildReport(args);
    },
    reusesMemo: (...args: Parameters<typeof real.reusesMemo>) => {
      if (failing && args[0].id === 'bad') throw new CohortkitError('invalid-argument', 'k: draw failed');
      return real.reusesMemo(...args);
    },
  };
});

const segments: SegmentDefinition[] = [{ id: 'buyer', description: 'buys', rule: { event: 'purchase' } }];
const space = (id: string): CohortSpace => ({ id, description: id, cohorts: [{ id: 'buyers', segment: 'buyer' }], fallback: 'other' });
const origFetch = globalThis.fetch;
afterEach(() => void (globalThis.fetch = origFetch));

it('one space whose draw throws: the error is reported, the spaces before and after it still report', async () => {
  const reports: LDPReport[] = [];
  globalThis.fetch = (async (_u: string, init: RequestInit) => {
    const body = JSON.parse(String(init.body));
    reports.push(...(Array.isArray(body) ? body : [body]));
    return new Response('{}', { status: 202 });
  }) as never;
  const at = Date.UTC(2026, 0, 5, 12);
  const c = await createClient({ namespace: `riso${Date.now()}`, now: () => at, segments, cohorts: [space('x'), space('bad'), space('y')], report: { endpoint: 'https://c.example/r' } });
  const errors: Error[] = [];
  c.on('error', (e) => errors.push(e as Error));
  await c.consent.update({ measurement: true, personalization: true });
  expect(await c.flush()).toEqual({ sent: 2, queued: 0 });
  expect(reports.map((r) => r.space).sort()).toEqual(['x', 'y']); // one request, in outbox (id) order
  expect(errors).toEqual([expect.objectContaining({ code: 'invalid-argument', message: 'k: draw failed' })]);
  const epoch = Math.floor(at / 86_400_000);
  expect((await c.exportData()).privacy.epochs).toEqual([{ epoch, spent: 2, budget: 3, skipped: [] }]);
  // Not recorded as reported: once the draw works, the next pass reports it (within the budget).
  failing = false;
  expect(await c.flush()).toEqual({ sent: 1, queued: 0 });
  expect(reports.slice(2).map((r) => r.space)).toEqual(['bad']);
  expect((await c.exportData()).privacy.epochs).toEqual([{ epoch, spent: 3, budget: 3, skipped: [] }]);
  await c.close();
});
