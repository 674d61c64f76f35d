// Client faults in real Chromium (real IndexedDB): a page script breaks IndexedDB under the
// client (quota errors, aborted transactions, a closed connection). flush() must resolve, every
// fault must arrive as an 'error' event, and the page must see nothing: no pageerror, no
// "Uncaught (in promise)" console error, no error / unhandledrejection event.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launch, startServer, type BrowserHandle, type TestServer } from './harness';

let server: TestServer;
let browser: BrowserHandle;
const received: Array<{ id: string; space: string }> = [];

beforeAll(async () => {
  server = await startServer();
  server.pages.set('/faults.html', {
    body: `<!doctype html><html><head><meta charset="utf-8">
<script>
  // Anything that would reach the page, recorded by the page itself.
  window.reached = [];
  addEventListener('error', (e) => reached.push('error: ' + e.message));
  addEventListener('unhandledrejection', (e) => reached.push('unhandledrejection: ' + (e.reason && e.reason.name) + ' ' + (e.reason && e.reason.message)));
</script>
<script src="/dist/cohortkit.iife.js"></script></head><body></body></html>`,
  });
  server.handler = (req, res) => {
    if (new URL(req.url!, 'http://x').pathname !== '/v1/reports') return false;
    const body = JSON.parse((req as unknown as { bodyText: string }).bodyText);
    received.push(...(Array.isArray(body) ? body : [body]));
    res.writeHead(202, { 'content-type': 'application/json', 'access-control-allow-origin': '*' }).end('{}');
    return true;
  };
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** A page with a consented client (two cohort spaces, one signal) and its errors collected. */
async function clientPage(namespace: string): Promise<Page> {
  const p = await browser.newPage();
  await p.goto(`${server.url}/faults.html`);
  await p.evaluate(async (namespace) => {
    const w = window as any;
    const c = await w.Cohortkit.createClient({
      namespace,
      segments: [
        { id: 'buyer', description: 'buys', rule: { event: 'purchase' } },
        { id: 'reader', description: 'reads', rule: { event: 'article_view' } },
      ],
      cohorts: [
        { id: 'lifecycle', description: 'who', cohorts: [{ id: 'buyers', segment: 'buyer' }], fallback: 'others' },
        { id: 'interest', description: 'what', cohorts: [{ id: 'news', segment: 'reader' }], fallback: 'other' },
      ],
      report: { endpoint: '/v1/reports' },
    });
    w.errors = [];
    c.on('error', (e: any) => w.errors.push({ name: e.name, code: e.code, isCohortkit: w.Cohortkit.isCohortkitError(e), message: e.message }));
    await c.consent.update({ personalization: true, measurement: true }, { source: 'banner' });
    await c.track('purchase');
    w.client = c;
  }, namespace);
  return p;
}

/** Installs a fault from a page script; `window.unbreak()` removes it. */
function breakIDB(p: Page, fault: 'quota' | 'abort' | 'closed') {
  return p.evaluate((fault) => {
    const w = window as any;
    const S = IDBObjectStore.prototype as any;
    const D = IDBDatabase.prototype as any;
    const saved = { put: S.put, get: S.get, getAll: S.getAll, transaction: D.transaction };
    w.hits = 0;
    if (fault === 'quota')
      S.put = function () {
        w.hits++;
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      };
    if (fault === 'abort')
      for (const m of ['put', 'get', 'getAll'])
        S[m] = function (this: IDBObjectStore, ...a: unknown[]) {
          const req = saved[m as 'put'].apply(this, a as never);
          w.hits++;
          this.transaction.abort();
          return req;
        };
    if (fault === 'closed')
      D.transaction = function (this: IDBDatabase, ...a: unknown[]) {
        w.hits++;
        this.close();
        return saved.transaction.apply(this, a as never);
      };
    w.unbreak = () => Object.assign(S, { put: saved.put, get: saved.get, getAll: saved.getAll }) && Object.assign(D, { transaction: saved.transaction });
  }, fault);
}

/** Gives late rejections and IDB events time to surface, then returns what reached the page. */
async function reachedPage(p: Page, before: number) {
  await p.waitForTimeout(300);
  return { reached: await p.evaluate(() => (window as any).reached), console: browser.errors.slice(before) };
}

describe('storage faults in Chromium never reach the page', () => {
  it.each(['quota', 'abort', 'closed'] as const)('%s: flush() resolves, faults arrive as storage errors, zero page errors', async (fault) => {
    const before = browser.errors.length;
    const p = await clientPage(`faults-${fault}`);
    const start = received.length;
    await breakIDB(p, fault);
    const r = await p.evaluate(async () => {
      const w = window as any;
      const flush = await w.client.flush().then((v: unknown) => ({ ok: v }), (e: any) => ({ rejected: String(e) }));
      return { flush, hits: w.hits, errors: w.errors };
    });
    expect(r.hits).toBeGreaterThan(0);
    // Writes refused: the two draws wait in memory. Reads failing: nothing could be drawn safely.
    expect(r.flush).toEqual({ ok: { sent: 0, queued: fault === 'quota' ? 2 : 0 } });
    expect(r.errors.length).toBeGreaterThan(0);
    for (const e of r.errors) expect(e).toMatchObject({ name: 'CohortkitError', code: 'storage', isCohortkit: true });
    expect(received.length).toBe(start); // a draw that could not be stored is never sent
    // Once storage works again, what waited is stored and each space is sent once.
    const after = await p.evaluate(async () => {
      const w = window as any;
      w.unbreak();
      return w.client.flush();
    });
    expect(after.queued).toBe(0);
    const mine = received.slice(start);
    expect(mine.map((x) => x.space).sort()).toEqual(['interest', 'lifecycle']);
    expect(new Set(mine.map((x) => x.id)).size).toBe(2);
    // The other calls under the same fault settle, any rejection a CohortkitError of code storage.
    await breakIDB(p, fault);
    const bad = await p.evaluate(async () => {
      const w = window as any;
      const c = w.client;
      const settled = await Promise.allSettled([
        c.track('article_view'),
        c.consent.update({ personalization: false }),
        c.decide({ slot: 'hero', variants: [{ segment: 'buyer', value: 'b' }], fallback: 'f', cap: { max: 2, per: '1d' } }),
        c.segments(),
        c.exportData(),
        c.flush(),
      ]);
      w.unbreak();
      return settled
        .filter((s) => s.status === 'rejected')
        .map((s: any) => s.reason)
        .filter((e: any) => !(w.Cohortkit.isCohortkitError(e) && e.code === 'storage'))
        .map(String);
    });
    expect(bad).toEqual([]);
    expect(await p.evaluate(() => (window as any).client.consent.verify())).toBe(true);
    expect(await reachedPage(p, before)).toEqual({ reached: [], console: [] });
    await p.close();
  });

  it('reports already stored, quota while recording their delivery: sent once, recorded once storage works, never re-sent', async () => {
    const before = browser.errors.length;
    const p = await clientPage('faults-settle');
    const start = received.length;
    // Queue (and store) the reports while the collector is unreachable.
    await p.route('**/v1/reports', (route) => route.fulfill({ status: 503, body: '' }));
    expect(await p.evaluate(() => (window as any).client.flush())).toEqual({ sent: 0, queued: 2 });
    await p.unroute('**/v1/reports');
    await breakIDB(p, 'quota');
    expect(await p.evaluate(() => (window as any).client.flush())).toEqual({ sent: 2, queued: 0 });
    expect(await p.evaluate(() => (window as any).client.flush())).toEqual({ sent: 0, queued: 0 });
    await p.evaluate(() => (window as any).unbreak());
    expect(await p.evaluate(() => (window as any).client.flush())).toEqual({ sent: 0, queued: 0 });
    const stored = await p.evaluate(async () => {
      const { reports } = await (window as any).client.exportData();
      return { queued: reports.queued.length, sent: reports.sent.length };
    });
    expect(stored).toEqual({ queued: 0, sent: 2 });
    expect(received.length - start).toBe(2);
    const seen = await reachedPage(p, before);
    // Chromium logs the 503 we staged itself; that is the network, not a fault reaching the page.
    expect({ ...seen, console: seen.console.filter((m) => !/Failed to load resource: .* 503/.test(m)) }).toEqual({ reached: [], console: [] });
    await p.close();
  });

  it('a reload after reports waited in memory: the next page sends each space once', async () => {
    const before = browser.errors.length;
    const p = await clientPage('faults-reload');
    const start = received.length;
    await breakIDB(p, 'quota');
    expect(await p.evaluate(() => (window as any).client.flush())).toEqual({ sent: 0, queued: 2 });
    await p.reload(); // the page (and the fault) are gone; the draws were never stored
    const r = await p.evaluate(async () => {
      const w = window as any;
      const c = await w.Cohortkit.createClient({
        namespace: 'faults-reload',
        segments: [
          { id: 'buyer', description: 'buys', rule: { event: 'purchase' } },
          { id: 'reader', description: 'reads', rule: { event: 'article_view' } },
        ],
        cohorts: [
          { id: 'lifecycle', description: 'who', cohorts: [{ id: 'buyers', segment: 'buyer' }], fallback: 'others' },
          { id: 'interest', description: 'what', cohorts: [{ id: 'news', segment: 'reader' }], fallback: 'other' },
        ],
        report: { endpoint: '/v1/reports' },
      });
      const f = await c.flush();
      return { state: c.consent.get(), queued: f.queued, verify: await c.consent.verify() };
    });
    expect(r).toEqual({ state: { personalization: 'granted', measurement: 'granted' }, queued: 0, verify: true });
    const mine = received.slice(start);
    expect(mine.map((x) => x.space).sort()).toEqual(['interest', 'lifecycle']);
    expect(await reachedPage(p, before)).toEqual({ reached: [], console: [] });
    await p.close();
  });
});
