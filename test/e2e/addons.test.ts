// The script-tag add-ons in Chromium under a strict CSP: private reporting (cohortkit-reporting.js)
// and encryption at rest (cohortkit-encrypt.js) load from the bundle's own directory only when
// configured, with the bundle's nonce; when they cannot be loaded the client emits `network` and
// runs on (reporting idle, storage in memory), and reports queued by an earlier page still leave.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, launch, startServer, type BrowserHandle, type TestServer } from './harness';

let server: TestServer;
let browser: BrowserHandle;
/** While true the collector answers 503 (reports stay queued). */
let down = false;
const received: unknown[] = [];
const CSP = "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'";
const page = (bundle: string, csp = CSP, attrs = '') => ({
  headers: { 'content-security-policy': csp },
  body: `<!doctype html><html><head><meta charset="utf-8"><script src="${bundle}"${attrs}></script></head><body></body></html>`,
});

beforeAll(async () => {
  server = await startServer();
  server.pages.set('/addons.html', page('/dist/cohortkit.iife.js'));
  // Only the nonce allows scripts: an add-on loads only if the bundle copies its nonce.
  server.pages.set('/addons-nonce.html', page('/dist/cohortkit.iife.js', "default-src 'self'; script-src 'nonce-n0nce42'; object-src 'none'", ' nonce="n0nce42"'));
  // The same bundle served from a directory without the add-ons: their loads fail.
  server.pages.set('/elsewhere/addons.html', page('/elsewhere/cohortkit.iife.js'));
  server.pages.set('/elsewhere/cohortkit.iife.js', {
    headers: { 'content-type': 'text/javascript; charset=utf-8' },
    body: readFileSync(join(ROOT, 'dist/cohortkit.iife.js'), 'utf8'),
  });
  // The bundle beside an add-on of another release (left from an earlier deploy): it is not used.
  server.pages.set('/stale/addons.html', page('/stale/cohortkit.iife.js'));
  const js = (body: string) => ({ headers: { 'content-type': 'text/javascript; charset=utf-8' }, body });
  server.pages.set('/stale/cohortkit.iife.js', js(readFileSync(join(ROOT, 'dist/cohortkit.iife.js'), 'utf8')));
  server.pages.set('/stale/cohortkit-context.js', js(readFileSync(join(ROOT, 'dist/cohortkit-context.js'), 'utf8').replace(/\.version="[^"]+"/, '.version="0.0.9"')));
  // A page with a declarative slot, initialised from the command queue (no inline script: a same-origin config).
  const slotPage = (bundle: string) => ({
    headers: { 'content-security-policy': CSP },
    body: `<!doctype html><html><head><meta charset="utf-8"><script src="/slots-init.js"></script><script src="${bundle}"></script></head>
<body><section id="hero" data-cohortkit-slot="hero"><h1>Welcome</h1><template data-variant="reader"><h1>Hello reader</h1></template></section></body></html>`,
  });
  server.pages.set('/slots.html', slotPage('/dist/cohortkit.iife.js'));
  server.pages.set('/elsewhere/slots.html', slotPage('/elsewhere/cohortkit.iife.js'));
  server.pages.set('/slots-init.js', {
    headers: { 'content-type': 'text/javascript; charset=utf-8' },
    body: `window.cohortkit = [['init', { namespace: 'slots-' + location.pathname.length, segments: [{ id: 'reader', description: 'Read anything', rule: { event: 'article_view' } }] }]];`,
  });
  server.handler = (req: IncomingMessage, res: ServerResponse) => {
    if (!req.url!.startsWith('/v1/reports')) return false;
    if (down) return res.writeHead(503).end(), true;
    const body = JSON.parse((req as unknown as { bodyText: string }).bodyText);
    received.push(...(Array.isArray(body) ? body : [body]));
    res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":1,"rejected":[]}');
    return true;
  };
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const open = async (path: string) => {
  const p = await browser.newPage();
  const violations: string[] = [];
  const requested: string[] = [];
  p.on('console', (m) => /Content Security Policy/i.test(m.text()) && violations.push(m.text()));
  p.on('request', (r) => requested.push(new URL(r.url()).pathname));
  await p.goto(`${server.url}${path}`);
  await p.waitForFunction(() => typeof (window as any).Cohortkit?.createClient === 'function', undefined, { timeout: 10_000 });
  return { p, violations, requested };
};
const addons = (requested: string[]) => requested.filter((r) => /cohortkit-[a-z]+\.js$/.test(r));

/** Creates a client with `extra` options in the page, consents, tracks; returns what it saw. */
const run = (p: Page, namespace: string, extra: Record<string, unknown>, act = true) =>
  p.evaluate(
    async ({ namespace, extra, act, endpoint }) => {
      const errors: Array<{ code: string; message: string }> = [];
      const c = await (window as any).Cohortkit.createClient({
        namespace,
        segments: [{ id: 'reader', description: 'Read anything', rule: { event: 'article_view' } }],
        ...(extra.report ? { cohorts: [{ id: 'lifecycle', description: 'lifecycle', cohorts: [{ id: 'readers', segment: 'reader' }], fallback: 'visitors' }] } : {}),
        ...extra,
        ...(extra.report ? { report: { endpoint } } : {}),
      });
      c.on('error', (e: any) => errors.push({ code: e.code, message: e.message }));
      if (act) {
        await c.consent.update({ personalization: true, measurement: true }, { source: 'banner' });
        await c.track('article_view', { category: 'news' });
      }
      const flushed = await c.flush();
      const data = await c.exportData();
      await new Promise((r) => setTimeout(r, 50));
      const out = { storage: c.storage, flushed, queued: data.reports.queued.length, sent: data.reports.sent.length, errors, segments: c.catalog().length };
      await c.close();
      return out;
    },
    { namespace, extra, act, endpoint: `${server.url}/v1/reports` },
  );

/** Every record of every store of database `name`, as JSON ('unopened' if it cannot be opened). */
const dumpDb = (p: Page, name: string) =>
  p.evaluate(
    (name) =>
      new Promise<string>((resolve) => {
        const req = indexedDB.open(name);
        req.onsuccess = () => {
          const db = req.result;
          const all: unknown[] = [];
          if (!db.objectStoreNames.length) return db.close(), resolve('[]');
          const tx = db.transaction([...db.objectStoreNames], 'readonly');
          for (const n of db.objectStoreNames) tx.objectStore(n).getAll().onsuccess = (e) => all.push((e.target as IDBRequest).result);
          tx.oncomplete = () => (db.close(), resolve(JSON.stringify(all)));
        };
        req.onerror = () => resolve('unopened');
      }),
    name,
  );

describe('script-tag add-ons under a strict CSP', () => {
  it('loads nothing for a consent+segments site; reporting and encryption load once each from the bundle directory when configured', async () => {
    const plain = await open('/addons.html');
    const out = await run(plain.p, 'plain', {});
    expect(out).toMatchObject({ storage: 'indexeddb', flushed: { sent: 0, queued: 0 }, errors: [] });
    expect(addons(plain.requested)).toEqual([]);
    await plain.p.close();

    received.length = 0;
    const { p, violations, requested } = await open('/addons.html');
    const res = await run(p, 'full', { report: true, encryptAtRest: true });
    expect(res).toMatchObject({ storage: 'indexeddb', flushed: { sent: 1, queued: 0 }, sent: 1, queued: 0, errors: [] });
    expect(addons(requested).sort()).toEqual(['/dist/cohortkit-encrypt.js', '/dist/cohortkit-reporting.js']);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ space: 'lifecycle' });
    // encrypted at rest: the event name is nowhere in the database in the clear
    const dump = await dumpDb(p, 'cohortkit:full');
    expect(dump).not.toBe('unopened');
    expect(dump).not.toContain('article_view');
    expect(violations).toEqual([]);
    expect(browser.errors).toEqual([]);
    await p.close();
  });

  it('an invalid report option still rejects createClient with its message (validated by the add-on)', async () => {
    const { p } = await open('/addons.html');
    const e = await p.evaluate(() =>
      (window as any).Cohortkit.createClient({ namespace: 'bad', report: { endpoint: 'ftp://c.example/r' } }).then(
        () => null,
        (e: any) => ({ name: e.name, code: e.code, message: e.message, own: e instanceof (window as any).Cohortkit.CohortkitError }),
      ),
    );
    expect(e).toMatchObject({ name: 'CohortkitError', code: 'invalid-options', message: expect.stringMatching(/^report\.endpoint: /), own: true });
    // the store it opened meanwhile was closed: the database can be deleted at once
    expect(await p.evaluate(() => new Promise((r) => Object.assign(indexedDB.deleteDatabase('cohortkit:bad'), { onsuccess: () => r('deleted'), onblocked: () => r('blocked') })))).toBe('deleted');
    await p.close();
  });

  it('copies the bundle nonce: the add-ons load under a nonce-only CSP', async () => {
    received.length = 0;
    const { p, violations, requested } = await open('/addons-nonce.html');
    const res = await run(p, 'nonce', { report: true, encryptAtRest: true });
    expect(res).toMatchObject({ storage: 'indexeddb', flushed: { sent: 1, queued: 0 }, errors: [] });
    expect(addons(requested).sort()).toEqual(['/dist/cohortkit-encrypt.js', '/dist/cohortkit-reporting.js']);
    expect(violations).toEqual([]);
    await p.close();
  });

  it('add-ons that cannot be loaded: error (network) each, the client runs on; queued reports wait and leave from a later page', async () => {
    // a page with the add-ons queues a report the collector refuses for now
    down = true;
    received.length = 0;
    const first = await open('/addons.html');
    expect(await run(first.p, 'later', { report: true })).toMatchObject({ flushed: { sent: 0, queued: 1 }, queued: 1 });
    await first.p.close();
    down = false;

    const before = browser.errors.length;
    const { p, violations, requested } = await open('/elsewhere/addons.html');
    // reporting idle: the report queued earlier is counted and shown, kept, not sent
    const idle = await run(p, 'later', { report: true }, false);
    expect(idle).toMatchObject({ storage: 'indexeddb', flushed: { sent: 0, queued: 1 }, queued: 1, sent: 0, segments: 1 });
    expect(idle.errors).toEqual([{ code: 'network', message: expect.stringMatching(/cohortkit-reporting\.js could not be loaded from/) }]);
    // encryption unavailable: storage continues in memory, never in the clear
    const res = await run(p, 'enc', { report: true, encryptAtRest: true });
    expect(addons(requested).sort()).toEqual(['/elsewhere/cohortkit-encrypt.js', '/elsewhere/cohortkit-reporting.js', '/elsewhere/cohortkit-reporting.js']);
    expect(res).toMatchObject({ storage: 'memory', flushed: { sent: 0, queued: 0 } });
    expect(res.errors.map((e) => e.code).sort()).toEqual(['network', 'network', 'storage']);
    expect(res.errors.map((e) => e.message).join('\n')).toMatch(/cohortkit-encrypt\.js could not be loaded from/);
    expect(await dumpDb(p, 'cohortkit:enc')).not.toContain('article_view');
    expect(received).toEqual([]);
    // the visitor's choices and tracking still work
    const decided = await p.evaluate(async () => {
      const c = await (window as any).Cohortkit.createClient({
        namespace: 'later2',
        segments: [{ id: 'reader', description: 'Read anything', rule: { event: 'article_view' } }],
        report: { endpoint: '/v1/reports' },
      });
      await c.consent.update({ personalization: true }, { source: 'banner' });
      await c.track('article_view');
      const out = [c.consent.get().personalization, (await c.exportData()).signals.length > 0, await c.flush()];
      await c.close();
      return out;
    });
    expect(decided).toEqual(['granted', true, { sent: 0, queued: 0 }]);
    expect(violations).toEqual([]);
    expect(browser.errors.slice(before).filter((e) => !/404/.test(e))).toEqual([]);
    await p.close();

    // the IndexedDB page the add-on failed on left it alone: a later page with the add-on delivers it
    const last = await open('/addons.html');
    // (sent by the pass at start or by flush(), whichever comes first: sent once)
    expect(await run(last.p, 'later', { report: true }, false)).toMatchObject({ flushed: { queued: 0 }, queued: 0, sent: 1 });
    expect(received).toHaveLength(1);
    await last.p.close();
  });

  it('personalization loads only where it is used: on the first decide(), or at start for a page with a slot; without it slots keep their content', async () => {
    // decide() from code: loaded once, on the first call
    const { p, violations, requested } = await open('/addons.html');
    expect(await run(p, 'decider', {})).toMatchObject({ errors: [] });
    expect(addons(requested)).toEqual([]);
    const decisions = await p.evaluate(async () => {
      const c = await (window as any).Cohortkit.createClient({ namespace: 'decider', segments: [{ id: 'reader', description: 'Read anything', rule: { event: 'article_view' } }] });
      const req = { slot: 'hero', variants: [{ segment: 'reader', value: 'hello reader' }], fallback: 'welcome' };
      const out = [await c.decide(req), await c.decide(req)];
      await c.close();
      return out;
    });
    expect(decisions).toEqual([{ value: 'hello reader', reason: 'segment', segment: 'reader' }, { value: 'hello reader', reason: 'segment', segment: 'reader' }]);
    expect(addons(requested)).toEqual(['/dist/cohortkit-personalize.js']);
    expect(violations).toEqual([]);
    await p.close();

    // a page with a slot: the slot is filled (consent unset: the fallback, the page's own content)
    const slots = await open('/slots.html');
    await slots.p.waitForFunction(() => document.getElementById('hero')!.hasAttribute('data-cohortkit-reason'), undefined, { timeout: 10_000 });
    expect(await slots.p.evaluate(() => [document.getElementById('hero')!.dataset.cohortkitReason, document.querySelector('h1')!.textContent])).toEqual(['no-consent', 'Welcome']);
    await slots.p.evaluate(async () => {
      const c = (window as any).cohortkit;
      await c.consent.update({ personalization: true }, { source: 'banner' });
      await c.track('article_view');
    });
    await slots.p.waitForFunction(() => document.getElementById('hero')!.dataset.cohortkitReason === 'segment', undefined, { timeout: 10_000 });
    expect(await slots.p.evaluate(() => document.querySelector('h1')!.textContent)).toBe('Hello reader');
    expect(addons(slots.requested)).toEqual(['/dist/cohortkit-personalize.js']);
    expect(slots.violations).toEqual([]);
    await slots.p.close();

    // the add-on missing: the slot keeps the page's content, marked "error"; the client works on
    const before = browser.errors.length;
    const gone = await open('/elsewhere/slots.html');
    await gone.p.waitForFunction(() => document.getElementById('hero')!.hasAttribute('data-cohortkit-reason'), undefined, { timeout: 15_000 });
    expect(await gone.p.evaluate(() => [document.getElementById('hero')!.dataset.cohortkitReason, document.querySelector('h1')!.textContent])).toEqual(['error', 'Welcome']);
    const after = await gone.p.evaluate(async () => {
      const c = (window as any).cohortkit;
      await c.consent.update({ personalization: true }, { source: 'banner' });
      return [await c.track('article_view'), await c.decide({ slot: 'x', variants: [], fallback: 1 }).then(() => 'resolved', (e: any) => e.code)];
    });
    expect(after).toEqual([{ stored: true, reason: 'stored' }, 'network']);
    expect(gone.violations).toEqual([]);
    expect(browser.errors.slice(before).filter((e) => !/404/.test(e))).toEqual([]);
    await gone.p.close();
  });

  it('the context reader loads only for a segment with a context rule; without it such a rule reads no value', async () => {
    const membersOf = async (p: Page, namespace: string) =>
      p.evaluate(async (namespace) => {
        const errors: string[] = [];
        const c = await (window as any).Cohortkit.createClient({
          namespace,
          segments: [
            { id: 'desk', description: 'desktop readers', rule: { all: [{ event: 'article_view' }, { context: 'device', in: ['desktop'] }] } },
            { id: 'reader', description: 'Read anything', rule: { event: 'article_view' } },
          ],
        });
        const messages: string[] = [];
        c.on('error', (e: any) => (errors.push(e.code), messages.push(e.message)));
        await c.consent.update({ personalization: true }, { source: 'banner' });
        await c.track('article_view');
        const out = { members: (await c.segments()).map((m: any) => m.id), errors, messages };
        await c.close();
        return out;
      }, namespace);
    const { p, violations, requested } = await open('/addons.html');
    expect(await membersOf(p, 'ctx')).toMatchObject({ members: ['desk', 'reader'], errors: [] });
    expect(addons(requested)).toEqual(['/dist/cohortkit-context.js']);
    expect(violations).toEqual([]);
    await p.close();
    const gone = await open('/elsewhere/addons.html');
    expect(await membersOf(gone.p, 'ctx-gone')).toMatchObject({ members: ['reader'], errors: ['network'] });
    await gone.p.close();
    // an add-on of another release beside the bundle is loaded but not used (network, as if missing)
    const stale = await open('/stale/addons.html');
    expect(await membersOf(stale.p, 'ctx-stale')).toEqual({
      members: ['reader'],
      errors: ['network'],
      messages: ["cohortkit: add-on cohortkit-context.js is version 0.0.9, not the bundle's 0.1.0"],
    });
    expect(addons(stale.requested)).toEqual(['/stale/cohortkit-context.js']);
    expect(stale.violations).toEqual([]);
    await stale.p.close();
  });
  it('declare() loads cohortkit-interests.js on its first call only; without it declare() rejects network and the rest reads on', async () => {
    const declareIn = async (p: Page, namespace: string) =>
      p.evaluate(async (namespace) => {
        const c = await (window as any).Cohortkit.createClient({
          namespace,
          interests: [{ id: 'hiking', label: 'Hiking' }],
          segments: [{ id: 'hiker', description: 'said they like hiking', rule: { declared: 'hiking' } }],
        });
        await c.consent.update({ personalization: true }, { source: 'banner' });
        const before = [...performance.getEntriesByType('resource')].filter((e) => e.name.endsWith('cohortkit-interests.js')).length;
        const declared = await c.interests.declare(['hiking']).then((r: unknown) => r, (e: any) => `${e.code} ${e instanceof (window as any).Cohortkit.CohortkitError}`);
        // validated by the add-on, rejected with this bundle's error class (the add-on carries its own copy)
        const bad = await c.interests.declare(['nope']).then(() => 'resolved', (e: any) => `${e.code} ${e instanceof (window as any).Cohortkit.CohortkitError} ${e.message}`);
        const out = { before, declared, bad, interests: c.interests.get(), members: (await c.segments()).map((m: any) => m.id) };
        await c.close();
        return out;
      }, namespace);
    const { p, violations, requested } = await open('/addons.html');
    expect(await declareIn(p, 'declarer')).toEqual({
      before: 0,
      declared: { stored: true, reason: 'stored' },
      bad: 'invalid-argument true ids[0]: unknown interest "nope" (not in options.interests)',
      interests: ['hiking'],
      members: ['hiker'],
    });
    expect(addons(requested)).toEqual(['/dist/cohortkit-interests.js']);
    expect(violations).toEqual([]);
    await p.close();
    const gone = await open('/elsewhere/addons.html');
    expect(await declareIn(gone.p, 'declarer-gone')).toMatchObject({ before: 0, declared: 'network true', interests: [], members: [] });
    await gone.p.close();
  });
});
