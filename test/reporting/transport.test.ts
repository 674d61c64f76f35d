import { describe, expect, it } from 'vitest';
import { MAX_CHUNK, sendReports } from '../../src/reporting';
import type { LDPReport } from '../../src/types';

const report = (i: number): LDPReport => ({
  v: 1,
  id: `${String(i).padStart(21, 'A')}A`,
  space: 'lifecycle',
  spaceVersion: 1,
  epoch: 20458,
  k: 5,
  mechanism: 'grr',
  epsilon: 1,
  value: i % 5,
});

function mockFetch(status: number | ((n: number) => number) = 202) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const f = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(null, { status: typeof status === 'number' ? status : status(calls.length) });
  }) as unknown as typeof fetch;
  return { f, calls };
}

describe('sendReports', () => {
  it('sends one POST with the exact privacy-preserving request init', async () => {
    const { f, calls } = mockFetch(202);
    const url = 'https://c.example/v1/reports?site=1';
    const res = await sendReports(url, [report(1), report(2)], { fetch: f });
    expect(res).toEqual({ ok: true, sent: 2, status: 202 });
    expect(calls).toHaveLength(1);
    const { signal, ...init } = calls[0].init;
    expect(calls[0].url).toBe(url);
    expect(signal).toBeInstanceOf(AbortSignal);
    expect(init).toEqual({
      method: 'POST',
      body: JSON.stringify([report(1), report(2)]),
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
      keepalive: true,
      cache: 'no-store',
      mode: 'cors',
    });
  });

  it('sends a single report as one object', async () => {
    const { f, calls } = mockFetch(200);
    expect((await sendReports('https://c.example/r', [report(7)], { fetch: f })).ok).toBe(true);
    expect(JSON.parse(calls[0].init.body as string)).toEqual(report(7));
  });

  it('sends nothing for no reports', async () => {
    const { f, calls } = mockFetch();
    expect(await sendReports('https://c.example/r', [], { fetch: f })).toEqual({ ok: true, sent: 0 });
    expect(calls).toHaveLength(0);
  });

  it('splits large batches into chunks under 60 KiB, in order, with every report exactly once', async () => {
    const { f, calls } = mockFetch(202);
    const reports = Array.from({ length: 2000 }, (_, i) => report(i));
    const res = await sendReports('https://c.example/r', reports, { fetch: f });
    expect(res).toEqual({ ok: true, sent: 2000, status: 202 });
    expect(calls.length).toBeGreaterThan(2);
    const bodies = calls.map((c) => c.init.body as string);
    for (const b of bodies) expect(new TextEncoder().encode(b).length).toBeLessThan(MAX_CHUNK);
    expect(bodies.flatMap((b) => JSON.parse(b))).toEqual(reports);
  });

  it('stops at the first failed chunk and reports how many were delivered', async () => {
    const { f, calls } = mockFetch((n) => (n === 2 ? 503 : 202));
    const reports = Array.from({ length: 2000 }, (_, i) => report(i));
    const res = await sendReports('https://c.example/r', reports, { fetch: f });
    expect(res.ok).toBe(false);
    expect(res.status).toBe(503);
    expect(res.permanent).toBeUndefined();
    expect(calls).toHaveLength(2);
    const first = JSON.parse(calls[0].init.body as string).length;
    expect(res.sent).toBe(first);
    // the failed chunk and every later one are to retry
    expect(res.outcomes).toEqual(reports.map((_, i) => (i < first ? 'sent' : 'failed')));
  });

  it('a chunk refused with a permanent 4xx drops only its own reports: the later chunks are still sent', async () => {
    const { f, calls } = mockFetch((n) => (n === 1 ? 400 : 202));
    const reports = Array.from({ length: 2000 }, (_, i) => report(i));
    const res = await sendReports('https://c.example/r', reports, { fetch: f });
    const sizes = calls.map((c) => JSON.parse(c.init.body as string).length);
    expect(calls.length).toBeGreaterThan(2);
    expect(sizes.reduce((a, b) => a + b)).toBe(2000); // every chunk was attempted
    expect(res).toMatchObject({ ok: false, sent: 2000 - sizes[0], status: 400, error: 'HTTP 400', permanent: true });
    expect(res.outcomes).toEqual(reports.map((_, i) => (i < sizes[0] ? 'rejected' : 'sent')));
  });

  it('a permanent 4xx in the middle, then a 503: sent, rejected, then failed from there on', async () => {
    const { f, calls } = mockFetch((n) => (n === 2 ? 422 : n === 3 ? 503 : 202));
    const reports = Array.from({ length: 3000 }, (_, i) => report(i));
    const res = await sendReports('https://c.example/r', reports, { fetch: f });
    expect(calls).toHaveLength(3); // stops at the transient failure
    const [a, b] = calls.map((c) => JSON.parse(c.init.body as string).length);
    expect(res).toMatchObject({ ok: false, sent: a, status: 422, permanent: true });
    expect(res.outcomes).toEqual(reports.map((_, i) => (i < a ? 'sent' : i < a + b ? 'rejected' : 'failed')));
  });

  it.each([
    [400, true],
    [404, true],
    [413, true],
    [408, undefined],
    [429, undefined],
    [500, undefined],
    [302, undefined],
  ])('HTTP %i → ok false, permanent %s', async (status, permanent) => {
    const { f } = mockFetch(status);
    const res = await sendReports('https://c.example/r', [report(1)], { fetch: f });
    expect(res).toMatchObject({ ok: false, sent: 0, status, error: `HTTP ${status}` });
    expect(res.permanent).toBe(permanent);
  });

  it('never throws: a rejecting or throwing fetch gives ok false', async () => {
    const rejecting = (async () => {
      throw new TypeError('Failed to fetch');
    }) as unknown as typeof fetch;
    expect(await sendReports('https://c.example/r', [report(1)], { fetch: rejecting })).toEqual({ ok: false, sent: 0, error: 'Failed to fetch', outcomes: ['failed'] });
    const throwing = (() => {
      throw new Error('sync');
    }) as unknown as typeof fetch;
    expect(await sendReports('https://c.example/r', [report(1)], { fetch: throwing })).toMatchObject({ ok: false, error: 'sync' });
  });

  it('a hanging endpoint resolves ok false after the timeout and is aborted', async () => {
    let signal: AbortSignal | undefined;
    const hanging = ((_u: string, init: RequestInit) => {
      signal = init.signal ?? undefined;
      return new Promise(() => {}); // ignores the signal, never settles
    }) as unknown as typeof fetch;
    const res = await sendReports('https://c.example/r', [report(1)], { fetch: hanging, timeoutMs: 30 });
    expect(res).toEqual({ ok: false, sent: 0, error: 'timeout', outcomes: ['failed'] });
    expect(signal?.aborted).toBe(true);
  });

  it('never uses sendBeacon', async () => {
    const nav = globalThis.navigator as Navigator & { sendBeacon?: unknown };
    const original = nav.sendBeacon;
    let beacons = 0;
    Object.defineProperty(nav, 'sendBeacon', { configurable: true, value: () => ++beacons });
    try {
      const { f } = mockFetch(500);
      await sendReports('https://c.example/r', [report(1)], { fetch: f, timeoutMs: 50 });
      expect(beacons).toBe(0);
    } finally {
      Object.defineProperty(nav, 'sendBeacon', { configurable: true, value: original });
    }
  });
});
