// track() throughput against the same number of raw idb puts, in one run, side by side.
// Node + fake-indexeddb: a proxy for relative cost (consent gate, minimization, rollup,
// segment re-evaluation), not a measure of a real browser's IndexedDB.
import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { createClient } from '../dist/index.js';

const N = Number(process.env.BENCH_N ?? 2000);
const segments = [
  { id: 'reader', description: 'reads news', rule: { event: 'article_view', where: { category: 'news' }, count: { gte: 3 }, within: '7d' } },
  { id: 'engaged', description: 'reader who searched', rule: { all: [{ segment: 'reader' }, { event: 'search', within: '1d' }] } },
  { id: 'mobile', description: 'on a phone', purposes: [], rule: { context: 'device', in: ['mobile'] } },
];

async function rawPuts() {
  const db = await openDB('bench-raw', 1, { upgrade: (d) => d.createObjectStore('s', { keyPath: 'key' }) });
  const t = performance.now();
  for (let i = 0; i < N; i++)
    await db.put('s', { key: `article_view|${i % 50}`, event: 'article_view', props: { category: 'news' }, count: i, times: [i] });
  const ms = performance.now() - t;
  db.close();
  return ms;
}

async function tracks() {
  let now = Date.UTC(2026, 0, 5);
  const c = await createClient({ segments, namespace: 'bench', now: () => now });
  await c.consent.update({ personalization: true });
  const t = performance.now();
  for (let i = 0; i < N; i++) {
    now += 1500; // past the duplicate window, under the rate limit
    await c.track(i % 5 ? 'article_view' : 'search', { category: i % 2 ? 'news' : 'sport', q: 'x' });
  }
  const ms = performance.now() - t;
  const t2 = performance.now();
  for (let i = 0; i < 200; i++) await c.segments();
  const segMs = (performance.now() - t2) / 200;
  await c.close();
  return { ms, segMs };
}

const raw = await rawPuts();
const { ms, segMs } = await tracks();
const row = (name, total) => ({ name, 'ops': N, 'total ms': total.toFixed(0), 'µs/op': ((total * 1000) / N).toFixed(1), 'ops/s': Math.round(N / (total / 1000)), 'ratio vs raw put': (total / raw).toFixed(2) });
console.table([row('raw idb put (baseline)', raw), row('client.track()', ms)]);
console.log(`segments() with 3 segments over ${N} tracked events: ${(segMs * 1000).toFixed(0)} µs per call`);
