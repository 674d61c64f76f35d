// Client speed in Chromium with real IndexedDB: the project against a baseline in the same
// run, as ratios with min–max over ≥ 5 alternating rounds. Figures are printed, never asserted.
// Needs dist/ (npm run build) and Debian's Chromium (CHROMIUM_PATH, default /usr/bin/chromium).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium, serveRepo } from './lib/browser.mjs';
import { CATS, EVENTS, SEGMENTS } from './lib/catalog.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PROFILE_EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000);
const { server, url } = await serveRepo();
const dir = mkdtempSync(join(tmpdir(), 'cohortkit-bench-'));
const context = await launchChromium(dir);
const page = context.pages()[0] ?? (await context.newPage());
await page.goto(url);

// In the page: the client, a raw IndexedDB baseline (a put awaiting the transaction's
// completion, which is what idb's tx.done waits for), a 100-segment catalog, a naive scan.
const setup = ({ segments, events, cats }) => {
  const B = (window.B = { segments, EVENTS: events, CATS: cats });
  const DAY = 86_400_000;
  const win = { '1d': DAY, '7d': 7 * DAY, '30d': 30 * DAY };
  // Naive: scan every raw event for every condition.
  B.naive = (events, seg, now) => {
    const test = (r) => {
      if (r.all) return r.all.map(test).every(Boolean);
      if (r.any) return r.any.map(test).some(Boolean);
      let n = 0;
      for (const e of events) if (e.event === r.event && e.props.category === r.where.category && e.t > now - win[r.within] && e.t <= now) n++;
      return n >= r.count.gte;
    };
    return test(seg.rule);
  };
  B.raw = async (name) => {
    const db = await new Promise((res, rej) => {
      const q = indexedDB.open(name, 1);
      q.onupgradeneeded = () => q.result.createObjectStore('s', { keyPath: 'key' });
      q.onsuccess = () => res(q.result);
      q.onerror = () => rej(q.error);
    });
    const put = (values) => new Promise((res, rej) => {
      const tx = db.transaction('s', 'readwrite');
      const s = tx.objectStore('s');
      for (const v of values) s.put(v);
      tx.oncomplete = res;
      tx.onerror = tx.onabort = () => rej(tx.error);
    });
    return { db, put };
  };
  /** SEQ awaited tracks of a new client on `namespace` (the rows 1 and 1a): ms per call. */
  B.seqTracks = async (namespace, SEQ) => {
    const { createClient } = await import('/dist/index.js');
    let now = Date.UTC(2026, 0, 5);
    const c = await createClient({ segments: B.segments, namespace, now: () => (now += 1500) });
    await c.consent.update({ personalization: true });
    const t = performance.now();
    for (let i = 0; i < SEQ; i++) await c.track('article_view', { category: i % 2 ? 'news' : 'sport' });
    const ms = (performance.now() - t) / SEQ;
    await c.close();
    return ms;
  };
  B.value = (i) => ({ key: `article_view|${i % 50}`, event: 'article_view', props: { category: 'news' }, count: i, times: [i], purposes: ['personalization'], expiresAt: 1e15 });
  // Long tasks (main-thread tasks over 50 ms): how many since the last reset, and the longest.
  B.longtasks = 0;
  B.longest = 0;
  // Entries arrive asynchronously: only tasks that started after the reset count.
  B.ltReset = () => ((B.longtasks = 0), (B.longest = 0), (B.ltSince = performance.now()));
  B.ltRead = async () => {
    await new Promise((r) => setTimeout(r, 50)); // let the observer deliver
    return { count: B.longtasks, longest: B.longest };
  };
  new PerformanceObserver((l) => {
    for (const e of l.getEntries()) if (e.startTime >= (B.ltSince ?? 0)) (B.longtasks++, (B.longest = Math.max(B.longest, e.duration)));
  }).observe({ type: 'longtask', buffered: false });
};
const catalog = { segments: SEGMENTS, events: EVENTS, cats: CATS };
await page.evaluate(setup, catalog);
const importClient = `const { createClient } = await import('/dist/index.js');`;

const rounds = [];
const measure = async (name, project, baseline, times = ROUNDS) => {
  const ratios = [];
  const p = [], b = [];
  for (let r = 0; r < times; r++) {
    // Alternate which side runs first.
    const first = r % 2 ? baseline : project;
    const second = r % 2 ? project : baseline;
    const x = await first(r), y = await second(r);
    const [pm, bm] = r % 2 ? [y, x] : [x, y];
    p.push(pm), b.push(bm), ratios.push(pm / bm);
  }
  const med = (a) => a.slice().sort((u, v) => u - v)[a.length >> 1];
  rounds.push({ figure: name, 'project ms (median)': med(p).toFixed(2), 'baseline ms (median)': med(b).toFixed(2), 'ratio (median)': med(ratios).toFixed(2), 'ratio min–max': `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}` });
};

// 1. awaited track() vs one put awaiting its transaction, per call (200 sequential calls).
const SEQ = 200;
/** The baseline of 1 and 1b: SEQ sequential puts, each awaiting its transaction, per call. */
const onePut = (name) => page.evaluate(async ([name, SEQ]) => {
  const { db, put } = await B.raw(name);
  const t = performance.now();
  for (let i = 0; i < SEQ; i++) await put([B.value(i)]);
  db.close();
  return (performance.now() - t) / SEQ;
}, [name, SEQ]);
await measure(
  'awaited track() vs idb put + tx.done (per call)',
  (r) => page.evaluate(([r, SEQ]) => B.seqTracks(`seq${r}`, SEQ), [r, SEQ]),
  (r) => onePut(`raw-seq${r}`),
);

// 1'. The same interleaved finely: one client and one raw database kept open in the page, 40
// alternating rounds of 25 awaited tracks and 25 puts (the machine's drift between rounds of 200
// moves the ratio more than most changes do; here both sides share each moment).
await page.evaluate(async () => {
  const { createClient } = await import('/dist/index.js');
  let now = Date.UTC(2026, 0, 5);
  B.fine = await createClient({ segments: B.segments, namespace: 'fine', now: () => (now += 1500) });
  await B.fine.consent.update({ personalization: true });
  B.fineRaw = await B.raw('raw-fine');
  B.fineN = 0;
});
await measure(
  "awaited track() vs idb put + tx.done, interleaved (40 rounds of 25 calls, per call)",
  () => page.evaluate(async () => {
    const t = performance.now();
    for (let i = 0; i < 25; i++) await B.fine.track('article_view', { category: B.fineN++ % 2 ? 'news' : 'sport' });
    return (performance.now() - t) / 25;
  }),
  () => page.evaluate(async () => {
    const t = performance.now();
    for (let i = 0; i < 25; i++) await B.fineRaw.put([B.value(B.fineN + i)]);
    return (performance.now() - t) / 25;
  }),
  40,
);
await page.evaluate(async () => (await B.fine.close(), B.fineRaw.db.close()));

// 1a. The same with a second tab open on the namespace (another page of the profile, whose client
// reloads on the first tab's messages and so claims the stamp): the first tab puts a new stamp
// after each claim, and waits for the other tab's reload where the two meet.
const second = await context.newPage();
await second.goto(url);
await measure(
  'awaited track() with a second tab reloading on its messages vs idb put + tx.done (per call)',
  async (r) => {
    await second.evaluate(async ([segments, r]) => {
      const { createClient } = await import('/dist/index.js');
      window.other = await createClient({ segments, namespace: `two${r}` });
    }, [SEGMENTS, r]);
    const ms = await page.evaluate(([r, SEQ]) => B.seqTracks(`two${r}`, SEQ), [r, SEQ]);
    await second.evaluate(() => window.other.close());
    return ms;
  },
  (r) => onePut(`raw-two${r}`),
);

// 1b. Where the floor of track()'s design is: the transaction a track commits, written by hand on
// raw IndexedDB, against the one-put baseline above. A lone tab's track reads the stamp, puts the
// rollup, keeps the stamp (it holds it unclaimed) and commits in the read's callback (1b). After
// another tab's load claimed the stamp, the track also puts a new one (1c, 1d: with memberships
// in its scope, a track that changes one). 1e: 1b committed when the task ends (the earlier
// design's wait). track() / 1b is the cost of the client around its transaction.
const shape = (r, SEQ, scope, stampPut = true, early = false) => page.evaluate(async ([r, SEQ, scope, stampPut, early]) => {
  const db = await new Promise((res, rej) => {
    const q = indexedDB.open(`shape${r}`, 1);
    q.onupgradeneeded = () => {
      q.result.createObjectStore('signals', { keyPath: 'key' });
      q.result.createObjectStore('memberships', { keyPath: 'id' });
      q.result.createObjectStore('meta');
    };
    q.onsuccess = () => res(q.result);
    q.onerror = () => rej(q.error);
  });
  let stamp;
  const write = (v) => new Promise((res, rej) => {
    const tx = db.transaction(scope, 'readwrite');
    const meta = tx.objectStore('meta');
    const expected = stamp;
    const got = meta.get('stamp');
    got.onsuccess = () => (got.result !== expected ? tx.abort() : early && tx.commit?.());
    tx.objectStore('signals').put(v);
    if (stampPut) (stamp = crypto.getRandomValues(new Uint32Array(2)).join('.')), meta.put(stamp, 'stamp');
    tx.oncomplete = res;
    tx.onerror = tx.onabort = () => rej(tx.error);
  });
  const t = performance.now();
  for (let i = 0; i < SEQ; i++) await write(B.value(i));
  db.close();
  return (performance.now() - t) / SEQ;
}, [r, SEQ, scope, stampPut, early]);
await measure(
  "track()'s transaction shape (signals + meta): stamp compared and kept, committed in the read's callback (a lone tab's) vs idb put + tx.done (per call)",
  (r) => shape(`k-${r}`, SEQ, ['signals', 'meta'], false, true),
  (r) => onePut(`raw-shapek-${r}`),
);
await measure(
  "the same with a new stamp put (signals + meta; after another tab's load claimed the stamp) vs idb put + tx.done (per call)",
  (r) => shape(`2-${r}`, SEQ, ['signals', 'meta']),
  (r) => onePut(`raw-shape2-${r}`),
);
await measure(
  "the same with a new stamp put and memberships in scope (3 stores) vs idb put + tx.done (per call)",
  (r) => shape(r, SEQ, ['signals', 'memberships', 'meta']),
  (r) => onePut(`raw-shape${r}`),
);
await measure(
  "a lone tab's shape committed when the task ends (signals + meta, stamp read, no put) vs idb put + tx.done (per call)",
  (r) => shape(`3-${r}`, SEQ, ['signals', 'meta'], false),
  (r) => onePut(`raw-shape3-${r}`),
);

// 2. 2,000 concurrent track() vs one transaction of 2,000 puts.
const CONC = 2000;
await measure(
  `${CONC} concurrent track() vs one tx of ${CONC} puts`,
  (r) => page.evaluate(async ([r, CONC]) => {
    const { createClient } = await import('/dist/index.js');
    let now = Date.UTC(2026, 0, 5);
    const c = await createClient({ segments: B.segments, namespace: `conc${r}`, now: () => (now += 1500) });
    await c.consent.update({ personalization: true });
    const t = performance.now();
    const out = await Promise.all(Array.from({ length: CONC }, (_, i) => c.track('article_view', { category: ['news', 'sport', 'tech'][i % 3] })));
    const ms = performance.now() - t;
    if (out.some((x) => !x.stored)) throw new Error(`not stored: ${JSON.stringify(out.find((x) => !x.stored))}`);
    await c.close();
    return ms;
  }, [r, CONC]),
  (r) => page.evaluate(async ([r, CONC]) => {
    const { db, put } = await B.raw(`raw-conc${r}`);
    const t = performance.now();
    await put(Array.from({ length: CONC }, (_, i) => B.value(i)));
    db.close();
    return performance.now() - t;
  }, [r, CONC]),
);

// The 10,000-event, 30-day profile (built once, through track()).
const seedMs = await page.evaluate(async (N) => {
  const { createClient } = await import('/dist/index.js');
  const { EVENTS, CATS } = B;
  const start = Date.UTC(2026, 0, 1);
  const step = Math.floor((30 * 86_400_000) / N);
  let now = start;
  B.events = [];
  const c = await createClient({ segments: B.segments, namespace: 'profile', now: () => now });
  await c.consent.update({ personalization: true });
  B.ltReset();
  const t = performance.now();
  for (let i = 0; i < N; i++) {
    now = start + i * step;
    const e = { event: EVENTS[(i * 7) % EVENTS.length], props: { category: CATS[(i * 3) % CATS.length] } };
    const res = await c.track(e.event, e.props);
    if (res.stored) B.events.push({ ...e, t: now });
  }
  B.profileNow = now;
  const ms = performance.now() - t;
  B.profileLongTasks = await B.ltRead();
  await c.close();
  return ms;
}, PROFILE_EVENTS);
const stored = await page.evaluate(() => B.events.length);
const longTasks = { 'building the profile (awaited track() ×N)': await page.evaluate(() => B.profileLongTasks) };

// 3. segments() over the profile (a fresh client per round; time moves 1 s per call).
const segRuns = [];
for (let r = 0; r < ROUNDS; r++)
  segRuns.push(await page.evaluate(async () => {
    const { createClient } = await import('/dist/index.js');
    let now = B.profileNow;
    B.ltReset();
    const c = await createClient({ segments: B.segments, namespace: 'profile', now: () => now });
    await c.segments();
    const start = await B.ltRead();
    B.ltReset();
    const times = [];
    for (let i = 0; i < 20; i++) {
      now += 1000;
      const t = performance.now();
      await c.segments();
      times.push(performance.now() - t);
    }
    const lt = await B.ltRead();
    await c.close();
    return { ms: times.sort((a, b) => a - b)[10], longtasks: lt.count, longest: lt.longest, start };
  }));
longTasks['createClient + first segments(), all rounds'] = { count: segRuns.reduce((n, s) => n + s.start.count, 0), longest: Math.max(...segRuns.map((s) => s.start.longest)) };
longTasks['segments() ×20, all rounds'] = { count: segRuns.reduce((n, s) => n + s.longtasks, 0), longest: Math.max(...segRuns.map((s) => s.longest)) };

// 4. explain() of every segment vs a naive scan of the raw events.
await measure(
  'explain() ×100 vs naive in-memory scan ×100',
  () => page.evaluate(async () => {
    const { createClient } = await import('/dist/index.js');
    const now = B.profileNow;
    const c = await createClient({ segments: B.segments, namespace: 'profile', now: () => now });
    const t = performance.now();
    for (const s of B.segments) await c.explain(s.id);
    const ms = performance.now() - t;
    await c.close();
    return ms;
  }),
  () => page.evaluate(async () => {
    const t = performance.now();
    let n = 0;
    for (const s of B.segments) n += B.naive(B.events, s, B.profileNow) ? 1 : 0;
    await Promise.resolve();
    return performance.now() - t;
  }),
);

// Long tasks while explaining every segment (a fresh client, as in the rows above; startup included).
longTasks['createClient + explain() ×100'] = await page.evaluate(async () => {
  B.ltReset();
  const { createClient } = await import('/dist/index.js');
  const c = await createClient({ segments: B.segments, namespace: 'profile', now: () => B.profileNow });
  for (const s of B.segments) await c.explain(s.id);
  const lt = await B.ltRead();
  await c.close();
  return lt;
});

// 5. cold start: reload → createClient resolves, vs reading every store once.
const cold = (project) => async () => {
  await page.reload();
  return page.evaluate(async (project) => {
    const t = performance.now();
    if (project) {
      const { createClient } = await import('/dist/index.js');
      const c = await createClient({ segments: window.B ? [] : [], namespace: 'profile' });
      const ms = performance.now() - t;
      await c.close();
      return ms;
    }
    await import('/dist/index.js'); // same module cost on both sides
    const db = await new Promise((res, rej) => {
      const q = indexedDB.open('cohortkit:profile');
      q.onsuccess = () => res(q.result);
      q.onerror = () => rej(q.error);
    });
    const names = [...db.objectStoreNames];
    const tx = db.transaction(names, 'readonly');
    await Promise.all(names.map((n) => new Promise((res) => (tx.objectStore(n).getAll().onsuccess = res))));
    const ms = performance.now() - t;
    db.close();
    return ms;
  }, project);
};
await measure('cold start: createClient vs read every store once', cold(true), cold(false));

// 6. encryptAtRest, same run: awaited track() per call, then cold start over what those calls stored.
await page.reload();
await page.evaluate(setup, catalog);
const encTrack = (encryptAtRest) => (r) => page.evaluate(async ([r, SEQ, encryptAtRest]) => {
  const { createClient } = await import('/dist/index.js');
  let now = Date.UTC(2026, 0, 5);
  const c = await createClient({ segments: B.segments, namespace: `enc${encryptAtRest}${r}`, encryptAtRest, now: () => (now += 1500) });
  await c.consent.update({ personalization: true });
  const t = performance.now();
  for (let i = 0; i < SEQ; i++) await c.track('article_view', { category: i % 2 ? 'news' : 'sport', title: `t${i}` });
  const ms = (performance.now() - t) / SEQ;
  await c.close();
  return ms;
}, [r, SEQ, encryptAtRest]);
await measure('awaited track(): encryptAtRest vs plain (per call)', encTrack(true), encTrack(false));
const encCold = (encryptAtRest) => async (r) => {
  await page.reload();
  await page.evaluate(setup, catalog);
  return page.evaluate(async ([r, encryptAtRest]) => {
    const t = performance.now();
    const { createClient } = await import('/dist/index.js');
    const c = await createClient({ segments: B.segments, namespace: `enc${encryptAtRest}${r}`, encryptAtRest });
    await c.segments();
    const ms = performance.now() - t;
    await c.close();
    return ms;
  }, [r, encryptAtRest]);
};
await measure(`cold start + segments(): encryptAtRest vs plain (after ${SEQ} track() calls)`, encCold(true), encCold(false));

console.log(`profile: ${stored} of ${PROFILE_EVENTS} events stored through track() over 30 days in ${(seedMs / 1000).toFixed(1)} s (${(seedMs / PROFILE_EVENTS).toFixed(2)} ms a track)`);
console.table(rounds);
const segMs = segRuns.map((s) => s.ms);
console.log(`segments() with 100 segments over the ${stored}-event 30-day profile: median of rounds ${segMs.sort((a, b) => a - b)[segMs.length >> 1].toFixed(2)} ms (min–max ${Math.min(...segMs).toFixed(2)}–${Math.max(...segMs).toFixed(2)}), long tasks (>50 ms) during 20 calls: ${segRuns.map((s) => s.longtasks).join(', ')}`);
console.log(`long tasks (PerformanceObserver 'longtask', main-thread tasks over 50 ms) over the ${stored}-event profile:`);
console.table(Object.fromEntries(Object.entries(longTasks).map(([k, v]) => [k, { 'long tasks': v.count, 'longest ms': Math.round(v.longest) }])));
await context.close();
rmSync(dir, { recursive: true, force: true });
server.close();
