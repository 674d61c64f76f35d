// Client faults, written once and run in Chromium, Firefox and WebKit (real IndexedDB each): a page
// script breaks IndexedDB under the client (a quota error on put, aborted transactions, a closed
// connection). flush() resolves, faults arrive as storage errors, and nothing reaches the page.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './harness';
import { launchEngine, selectedEngines, type Engine } from './engines';
import { registerPages } from './engines/pages';

type W = any; // the page's window, as the fixtures shape it

let server: TestServer;
const received: Array<{ id: string; space: string }> = [];
beforeAll(async () => {
  server = await startServer();
  registerPages(server);
  server.handler = (req: IncomingMessage, res: ServerResponse) => {
    if (!req.url!.startsWith('/v1/reports')) return false;
    const body = JSON.parse((req as unknown as { bodyText: string }).bodyText);
    received.push(...(Array.isArray(body) ? body : [body]));
    res.writeHead(202, { 'content-type': 'application/json' }).end('{}');
    return true;
  };
});
afterAll(() => server?.close());

/** Runs in the page: a consented client, one signal, a fault installed; returns what flush() did. */
const underFault = async ([ns, endpoint, fault]: [string, string, 'quota' | 'abort' | 'closed']) => {
  const w = window as W;
  const c = await w.app.client(ns, endpoint);
  w.client = c;
  const errors: Array<{ name: string; code: string }> = [];
  c.on('error', (e: W) => errors.push({ name: e.name, code: e.code }));
  await c.consent.update({ personalization: true, measurement: true }, { source: 'banner' });
  await c.track('purchase');
  const S = IDBObjectStore.prototype as W;
  const D = IDBDatabase.prototype as W;
  const saved = { put: S.put, get: S.get, getAll: S.getAll, transaction: D.transaction };
  if (fault === 'quota')
    S.put = function () {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
  if (fault === 'abort')
    for (const m of ['put', 'get', 'getAll'])
      S[m] = function (this: IDBObjectStore, ...a: unknown[]) {
        const req = (saved as W)[m].apply(this, a);
        this.transaction.abort();
        return req;
      };
  if (fault === 'closed')
    D.transaction = function (this: IDBDatabase, ...a: unknown[]) {
      this.close();
      return saved.transaction.apply(this, a);
    };
  const flush = await c.flush().then((v: unknown) => ({ resolved: v }), (e: W) => ({ rejected: String(e) }));
  const others = await Promise.allSettled([c.track('article_view', { category: 'news' }), c.segments(), c.exportData(), c.consent.history()]);
  Object.assign(S, { put: saved.put, get: saved.get, getAll: saved.getAll });
  D.transaction = saved.transaction;
  const bad = others
    .filter((s) => s.status === 'rejected')
    .map((s: W) => s.reason)
    .filter((e: W) => !(w.Cohortkit.isCohortkitError(e) && e.code === 'storage'))
    .map(String);
  const after = await c.flush();
  await new Promise((r) => setTimeout(r, 300)); // late rejections and IDB events
  return { flush, bad, errors, after, verify: await c.consent.verify() };
};

describe.each(selectedEngines())('%s', (name) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await launchEngine(name);
  });
  afterAll(() => engine?.close());

  it.each(['quota', 'abort', 'closed'] as const)(`[${name}] %s: flush() resolves, storage errors only, nothing reaches the page`, async (fault) => {
    const p = await engine.newPage();
    await p.goto(`${server.url}/app.html`);
    const start = received.length;
    const r = await p.evaluate(underFault, [`faults-${fault}`, `${server.url}/v1/reports`, fault] as [string, string, typeof fault]);
    expect(r.flush).toEqual({ resolved: { sent: 0, queued: fault === 'quota' ? 2 : 0 } });
    expect(r.bad).toEqual([]);
    expect(r.errors.length).toBeGreaterThan(0);
    for (const e of r.errors) expect(e).toEqual({ name: 'CohortkitError', code: 'storage' });
    // once storage works: each space reported once, nothing drawn under the fault was sent
    expect(r.after.queued).toBe(0);
    expect(r.verify).toBe(true);
    const mine = received.slice(start);
    expect(mine.map((x) => x.space).sort()).toEqual(['interest', 'lifecycle']);
    expect(new Set(mine.map((x) => x.id)).size).toBe(2);
    const probe = await p.evaluate(() => (window as W).__ckProbe);
    expect(probe).toEqual([]);
    await p.close();
    expect(await engine.errors()).toEqual([]);
  });

  it(`[${name}] with the built-ins frozen (SES-style lockdown): consent, track, segments, decide, reports, withdrawal and forget work, nothing reaches the page`, async () => {
    const p = await engine.newPage();
    await p.goto(`${server.url}/frozen.html`);
    const start = received.length;
    const r = await p.evaluate(async (endpoint: string) => {
      const w = window as W;
      const c = await w.app.client('frozen', endpoint);
      const errors: string[] = [];
      c.on('error', (e: W) => errors.push(`${e.code}: ${e.message}`));
      await c.consent.update({ personalization: true, measurement: true }, { source: 'banner' });
      const tracked = await c.track('purchase');
      const member = (await c.segments()).map((m: W) => m.id);
      const decided = await c.decide({ slot: 'hero', variants: [{ segment: 'buyer', value: 'thanks' }], fallback: 'hello' });
      const flushed = await c.flush();
      await c.consent.update({ personalization: false, measurement: false });
      const after = (await c.segments()).map((m: W) => m.id);
      const verified = await c.consent.verify();
      await c.forget();
      return { frozen: w.frozenIntrinsics, tracked, member, decided: decided.value, flushed, after, verified, errors };
    }, `${server.url}/v1/reports`);
    expect(r).toEqual({
      frozen: true,
      tracked: { stored: true, reason: 'stored' },
      member: ['buyer'],
      decided: 'thanks',
      flushed: { sent: 2, queued: 0 },
      after: [],
      verified: true,
      errors: [],
    });
    expect(received.slice(start).map((x) => x.space).sort()).toEqual(['interest', 'lifecycle']);
    expect(await p.evaluate(() => (window as W).__ckProbe)).toEqual([]);
    await p.close();
    expect(await engine.errors()).toEqual([]);
  });

  it(`[${name}] in a sandboxed iframe (opaque origin: IndexedDB refused, Web Locks denied where present): the client starts from memory, consent, track and withdrawal work`, async () => {
    const p = await engine.newPage();
    await p.goto(`${server.url}/sandbox.html`);
    await p.waitFor(() => (window as W).frameSaid?.length > 0, undefined, { timeout: 15_000 });
    await new Promise((r) => setTimeout(r, 200)); // anything uncaught would follow
    expect(await p.evaluate(() => (window as W).frameSaid)).toEqual([
      {
        tracked: { stored: true, reason: 'stored' },
        member: ['fan'],
        after: [],
        signals: 0,
        verified: true,
        errors: ['storage: IndexedDB unavailable; continuing from memory'],
      },
    ]);
    await p.close();
    expect(await engine.errors()).toEqual([]);
  });
});
