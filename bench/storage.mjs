// Storage stays flat after the retention window: 100,000 track() calls spread over 60 days of the
// client's `now` clock, in Chromium with real IndexedDB. Prints, at 20k, 40k, 60k, 80k and 100k
// tracks, the record count of every object store, the bytes of their records (JSON) and
// navigator.storage.estimate().usage. Figures are printed, never asserted. Two runs, each in its
// own browser profile: `page load per day` (a new createClient whenever the simulated day changes,
// as a visitor coming back daily) and `one session` (one client for all 60 simulated days, which
// pass in about a minute of wall time, i.e. before the client's 10-minute expiry timer fires).
// A third run is the baseline: raw IndexedDB overwriting a fixed set of records as often.
// Needs dist/ (npm run build) and Debian's Chromium (CHROMIUM_PATH, default /usr/bin/chromium).
//   BENCH_TRACKS (default 100000), BENCH_DAYS (60), BENCH_RETENTION_DAYS (the purpose's retentionDays, 30)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium, serveRepo } from './lib/browser.mjs';

const TRACKS = Number(process.env.BENCH_TRACKS ?? 100_000);
const DAYS = Number(process.env.BENCH_DAYS ?? 60);
const RETENTION = Number(process.env.BENCH_RETENTION_DAYS ?? 30);
const CHUNK = 500; // track() calls in flight at once (they share IndexedDB transactions)
const { server, url } = await serveRepo();
const dir = mkdtempSync(join(tmpdir(), 'cohortkit-bench-storage-'));
for (const mode of ['page load per day', 'one session']) {
const context = await launchChromium(join(dir, mode.replace(/ /g, '-')));
try {
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(url);
  await page.evaluate(async ([TRACKS, DAYS, RETENTION, RELOAD]) => {
    const { createClient } = await import('/dist/index.js');
    const EVENTS = ['article_view', 'search', 'video_play', 'add_to_cart', 'purchase', 'share', 'comment', 'login', 'signup', 'scroll'];
    const CATS = ['news', 'sport', 'tech', 'food', 'travel'];
    const segments = EVENTS.slice(0, 5).map((event, i) => ({ id: `s${i}`, description: `segment ${i}`, rule: { event, count: { gte: 3 }, within: '7d' } }));
    const start = Date.UTC(2026, 0, 1);
    const step = (DAYS * 86_400_000) / TRACKS;
    window.S = { i: 0, now: start };
    const open = () =>
      createClient({ segments, namespace: 'storage', purposes: [{ id: 'personalization', retentionDays: RETENTION }], now: () => window.S.now });
    window.S.client = await open();
    window.S.day = Math.floor(start / 86_400_000);
    await window.S.client.consent.update({ personalization: true });
    /** Tracks up to `until`, CHUNK at a time; each call sees its own time on the clock. */
    window.S.run = async (until, chunk) => {
      let notStored = 0;
      while (window.S.i < until) {
        if (RELOAD && Math.floor(window.S.now / 86_400_000) !== window.S.day) {
          // The visitor comes back on a new day: a new page load, a new client (which expires on start).
          await window.S.client.close();
          window.S.client = await open();
          window.S.day = Math.floor(window.S.now / 86_400_000);
        }
        const batch = [];
        for (let j = 0; j < chunk && window.S.i < until; j++, window.S.i++) {
          const i = window.S.i;
          window.S.now = start + Math.floor(i * step);
          // 10 events × 5 categories × 200 items: new signal keys keep appearing all along.
          batch.push(window.S.client.track(EVENTS[(i * 7) % 10], { category: CATS[(i * 3) % 5], item: `i${(i * 13) % 200}` }));
        }
        for (const r of await Promise.all(batch)) if (!r.stored) notStored++;
      }
      return notStored;
    };
    window.S.census = async () => {
      const names = (await indexedDB.databases()).map((d) => d.name).filter((n) => n && n.includes('storage'));
      const out = { usage: (await navigator.storage.estimate()).usage, stores: {} };
      for (const name of names) {
        const db = await new Promise((res, rej) => {
          const q = indexedDB.open(name);
          q.onsuccess = () => res(q.result);
          q.onerror = () => rej(q.error);
        });
        for (const s of db.objectStoreNames) {
          const all = await new Promise((res) => (db.transaction(s).objectStore(s).getAll().onsuccess = (e) => res(e.target.result)));
          out.stores[`${name}/${s}`] = { records: all.length, bytes: all.reduce((n, v) => n + JSON.stringify(v ?? null).length, 0) };
        }
        db.close();
      }
      return out;
    };
  }, [TRACKS, DAYS, RETENTION, mode === 'page load per day']);

  console.log(`storage, ${mode}: ${TRACKS.toLocaleString('en-US')} track() calls over ${DAYS} days of the client's clock, retentionDays ${RETENTION} (personalization), ${CHUNK} in flight at a time`);
  const rows = {};
  const t0 = performance.now();
  for (const at of [0.2, 0.4, 0.6, 0.8, 1].map((f) => Math.round(f * TRACKS))) {
    const notStored = await page.evaluate(([at, CHUNK]) => window.S.run(at, CHUNK), [at, CHUNK]);
    const c = await page.evaluate(() => window.S.census());
    const day = ((at / TRACKS) * DAYS).toFixed(0);
    const row = { 'day': Number(day), 'usage (estimate) B': c.usage };
    for (const [k, v] of Object.entries(c.stores)) row[`${k.split('/').pop()} records`] = v.records;
    row['record bytes (JSON)'] = Object.values(c.stores).reduce((n, v) => n + v.bytes, 0);
    if (notStored) row['not stored (unreferenced)'] = notStored;
    rows[`${(at / 1000).toFixed(0)}k tracks`] = row;
    console.log(`  ${at.toLocaleString('en-US')} tracks (day ${day}) after ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  // Does the browser give the space back once nothing writes? Close the client, idle, count again.
  await page.evaluate(() => window.S.client.close());
  await new Promise((r) => setTimeout(r, 10_000));
  const idle = await page.evaluate(() => window.S.census());
  rows['closed, 10 s idle'] = { day: DAYS, 'usage (estimate) B': idle.usage, 'record bytes (JSON)': Object.values(idle.stores).reduce((n, v) => n + v.bytes, 0) };
  console.table(rows);
} finally {
  await context.close();
}
}

// Baseline: the same number of writes with raw IndexedDB, no client at all, over a set of records
// that never grows (155 records of about the size of the client's signal rollups, overwritten in
// transactions of CHUNK puts). If the browser's usage figure grows here too, the growth above is
// the engine keeping superseded versions (LevelDB in Chromium), not records we keep.
{
  const context = await launchChromium(join(dir, 'raw-baseline'));
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(url);
    console.log(`storage, raw IndexedDB baseline: ${TRACKS.toLocaleString('en-US')} puts over 155 fixed keys (≈ 1.1 kB values), ${CHUNK} per transaction`);
    const rows = await page.evaluate(async ([TRACKS, CHUNK]) => {
      const db = await new Promise((res, rej) => {
        const q = indexedDB.open('raw-baseline', 1);
        q.onupgradeneeded = () => q.result.createObjectStore('s', { keyPath: 'key' });
        q.onsuccess = () => res(q.result);
        q.onerror = () => rej(q.error);
      });
      const value = (i) => ({ key: `k${i % 155}`, event: 'article_view', props: { category: 'news', item: `i${i % 200}` }, count: i, times: Array.from({ length: 100 }, (_, j) => 1767225600000 + i + j), purposes: ['personalization'], expiresAt: 1e15 });
      const out = {};
      let i = 0;
      for (const at of [0.2, 0.4, 0.6, 0.8, 1].map((f) => Math.round(f * TRACKS))) {
        while (i < at) {
          await new Promise((res, rej) => {
            const tx = db.transaction('s', 'readwrite');
            for (let j = 0; j < CHUNK && i < at; j++, i++) tx.objectStore('s').put(value(i));
            tx.oncomplete = res;
            tx.onerror = tx.onabort = () => rej(tx.error);
          });
        }
        const all = await new Promise((res) => (db.transaction('s').objectStore('s').getAll().onsuccess = (e) => res(e.target.result)));
        out[`${(at / 1000).toFixed(0)}k puts`] = { 'usage (estimate) B': (await navigator.storage.estimate()).usage, records: all.length, 'record bytes (JSON)': all.reduce((n, v) => n + JSON.stringify(v).length, 0) };
      }
      db.close();
      await new Promise((r) => setTimeout(r, 10_000));
      out['closed, 10 s idle'] = { 'usage (estimate) B': (await navigator.storage.estimate()).usage };
      return out;
    }, [TRACKS, CHUNK]);
    console.table(rows);
  } finally {
    await context.close();
  }
}
rmSync(dir, { recursive: true, force: true });
server.close();
