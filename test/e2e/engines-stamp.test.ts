// The cross-tab stamp in each engine (real IndexedDB, two pages of one profile), with no message
// between the pages (BroadcastChannel posts nothing): a lone page's tracks put the stamp once; a
// page that starts under another's stamp claims it, so the other puts a new one on its next
// write and the newcomer's first write reloads instead of overwriting a count.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './harness';
import { launchEngine, selectedEngines, type Engine } from './engines';
import { registerPages } from './engines/pages';

type W = any; // the page's window
let server: TestServer;
beforeAll(async () => {
  server = await startServer();
  registerPages(server);
});
afterAll(() => server?.close());

/** In the page: no message to other tabs, every put of the stamp counted, a client on `ns` whose clock starts at `at` and moves 1.5 s a read (no duplicate or rate limit). */
const start = async ([ns, at]: [string, number]) => {
  const w = window as W;
  BroadcastChannel.prototype.postMessage = () => undefined;
  w.stampPuts = 0;
  const put = IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.put = function (this: IDBObjectStore, v: unknown, k?: IDBValidKey) {
    if (this.name === 'meta' && k === 'cohortkit:stamp') w.stampPuts++;
    return put.call(this, v, k as IDBValidKey);
  };
  const segments = [{ id: 'reader', description: 'reads news twice', rule: { event: 'article_view', where: { category: 'news' }, count: { gte: 2 } } }];
  let now = at;
  w.client = await w.Cohortkit.createClient({ namespace: ns, segments, now: () => (now += 1500) });
  await w.client.consent.update({ personalization: true }, { source: 'banner' });
};
/** In the page: `n` awaited tracks; the stamp puts they made and the count this page holds after them. */
const track = async (n: number) => {
  const w = window as W;
  const before = w.stampPuts;
  for (let i = 0; i < n; i++) if (!(await w.client.track('article_view', { category: 'news' })).stored) throw new Error('not stored');
  const held = (await w.client.exportData()).signals.find((s: W) => s.event === 'article_view');
  return { puts: w.stampPuts - before, count: held?.count };
};

describe.each(selectedEngines())('%s', (name) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await launchEngine(name);
  });
  afterAll(() => engine?.close());

  it(`[${name}] no message between two pages: the stamp is kept by a lone page, claimed by a newcomer, and no count is lost`, async () => {
    const ns = `stamp-${name}`;
    const a = await engine.newPage();
    await a.goto(`${server.url}/blank.html`);
    await a.evaluate(start, [ns, Date.UTC(2026, 0, 5, 1)]);
    // A lone page: one stamp put (its first write), then its tracks write their rollup only.
    expect(await a.evaluate(track, 20)).toEqual({ puts: 1, count: 20 });
    expect(await a.evaluate(track, 20)).toEqual({ puts: 0, count: 40 });
    // B starts under A's stamp and claims it; A's next write puts a new one (once), then keeps it.
    const b = await engine.newPage();
    await b.goto(`${server.url}/blank.html`);
    await b.evaluate(start, [ns, Date.UTC(2026, 0, 5, 12)]); // the same UTC day: the same rollup
    expect(await a.evaluate(track, 5)).toEqual({ puts: 1, count: 45 });
    // B's cache says 40: its write is refused, it reloads (claiming A's new stamp: a put) and
    // counts A's five (46, not 41) under a stamp of its own (a put).
    expect(await b.evaluate(track, 1)).toEqual({ puts: 2, count: 46 });
    // And the other way round: A's cache says 45, the store 46.
    expect(await a.evaluate(track, 1)).toEqual({ puts: 2, count: 47 });
    await a.close();
    await b.close();
    expect(await engine.errors()).toEqual([]);
  });
});
