// The awaited track() and its transaction shapes in Firefox and WebKit, as bench/client.mjs measures
// them in Chromium (Chromium again here, for the same rows side by side): each against one put
// awaiting its transaction, in the same page, alternating, as ratios with min–max. Firefox is
// Debian's firefox-esr over WebDriver BiDi (puppeteer-core), WebKit is WebKitGTK's MiniBrowser
// through WebKitWebDriver (selenium-webdriver), which needs a display: this script runs itself
// under `xvfb-run -a` when there is none. An engine that is not installed is skipped, said so.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, serveRepo } from './lib/browser.mjs';
import { SEGMENTS } from './lib/catalog.mjs';

if (!process.env.DISPLAY && !process.env.COHORTKIT_BENCH_XVFB && spawnSync('xvfb-run', ['--help']).status !== null) {
  const r = spawnSync('xvfb-run', ['-a', process.execPath, fileURLToPath(import.meta.url)], { stdio: 'inherit', env: { ...process.env, COHORTKIT_BENCH_XVFB: '1' } });
  process.exit(r.status ?? 1);
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SEQ = 200;

// In the page (a string: each driver evaluates it the same way). `kind` picks what one round times.
const inPage = async ({ kind, r, SEQ, segments }) => {
  const open = (name, stores) =>
    new Promise((res, rej) => {
      const q = indexedDB.open(name, 1);
      q.onupgradeneeded = () => stores.forEach(([s, keyPath]) => q.result.createObjectStore(s, keyPath ? { keyPath } : undefined));
      q.onsuccess = () => res(q.result);
      q.onerror = () => rej(q.error);
    });
  const value = (i) => ({ key: `article_view|${i % 50}`, event: 'article_view', props: { category: 'news' }, count: i, times: [i], purposes: ['personalization'], expiresAt: 1e15 });
  const done = (tx) => new Promise((res, rej) => ((tx.oncomplete = res), (tx.onerror = tx.onabort = () => rej(tx.error))));
  const name = `${kind}-${r}-${Math.random().toString(36).slice(2)}`;
  if (kind === 'put') {
    const db = await open(name, [['s', 'key']]);
    const t = performance.now();
    for (let i = 0; i < SEQ; i++) {
      const tx = db.transaction('s', 'readwrite');
      tx.objectStore('s').put(value(i));
      await done(tx);
    }
    db.close();
    return (performance.now() - t) / SEQ;
  }
  if (kind.startsWith('shape')) {
    const db = await open(name, [['signals', 'key'], ['meta']]);
    let stamp;
    const t = performance.now();
    for (let i = 0; i < SEQ; i++) {
      const tx = db.transaction(['signals', 'meta'], 'readwrite');
      const meta = tx.objectStore('meta');
      const expected = stamp;
      const got = meta.get('stamp');
      // 'shape-kept' is what a lone tab's track commits: no stamp put, committed in the read's callback.
      got.onsuccess = () => (got.result !== expected ? tx.abort() : kind === 'shape-kept' && tx.commit?.());
      tx.objectStore('signals').put(value(i));
      if (kind === 'shape') (stamp = `s${i}`), meta.put(stamp, 'stamp');
      await done(tx);
    }
    db.close();
    return (performance.now() - t) / SEQ;
  }
  // kind 'track': the catalog of bench/client.mjs (passed in: bench/lib/catalog.mjs), the same tracks.
  const { createClient } = await import('/dist/index.js');
  let now = Date.UTC(2026, 0, 5);
  const c = await createClient({ segments, namespace: name, now: () => (now += 1500) });
  await c.consent.update({ personalization: true });
  const t = performance.now();
  for (let i = 0; i < SEQ; i++) await c.track('article_view', { category: i % 2 ? 'news' : 'sport' });
  const ms = (performance.now() - t) / SEQ;
  const storage = c.storage;
  await c.close();
  if (storage !== 'indexeddb') throw new Error(`the client ran on ${storage}, not IndexedDB`);
  return ms;
};
const call = (arg) => `(${inPage})(${JSON.stringify(arg)})`;

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

/** Each engine: `{ run(arg) → ms, close() }`, or a string saying why it is skipped. */
const ENGINES = {
  async chromium(url) {
    const ctx = await launchChromium(mkdtempSync(join(tmpdir(), 'bench-engines-')));
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    await page.goto(url);
    return { run: (arg) => page.evaluate(call(arg)), close: () => ctx.close() };
  },
  async firefox(url) {
    const path = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
    if (!existsSync(path)) return `${path} not found (apt-get install -y firefox-esr)`;
    const { default: puppeteer } = await import('puppeteer-core');
    const browser = await puppeteer.launch({ browser: 'firefox', executablePath: path, headless: true, userDataDir: mkdtempSync(join(tmpdir(), 'bench-engines-ff-')) });
    const page = await browser.newPage();
    await page.goto(url);
    return { run: (arg) => page.evaluate(call(arg)), close: () => browser.close() };
  },
  async webkit(url) {
    const driverPath = process.env.WEBKIT_DRIVER ?? '/usr/bin/WebKitWebDriver';
    if (!existsSync(driverPath)) return `${driverPath} not found (apt-get install -y webkit2gtk-driver xvfb)`;
    if (!process.env.DISPLAY) return 'no display (install xvfb: this script runs itself under xvfb-run)';
    let mini;
    for (const arch of readdirSync('/usr/lib'))
      for (const api of ['webkit2gtk-4.1', 'webkitgtk-6.0', 'webkit2gtk-4.0']) if (!mini && existsSync(`/usr/lib/${arch}/${api}/MiniBrowser`)) mini = `/usr/lib/${arch}/${api}/MiniBrowser`;
    if (!mini) return 'MiniBrowser not found (apt-get install -y webkit2gtk-driver)';
    const port = await freePort();
    const proc = spawn(driverPath, [`--port=${port}`, '--host=local'], { stdio: 'ignore' });
    const server = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 200; i++) {
      try {
        if ((await fetch(`${server}/status`)).ok) break;
      } catch {}
      await new Promise((r) => setTimeout(r, 50));
    }
    const { Builder } = await import('selenium-webdriver');
    const driver = await new Builder()
      .usingServer(server)
      .withCapabilities({ browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary: mini, args: ['--automation'] } })
      .build();
    await driver.manage().setTimeouts({ script: 120_000, pageLoad: 30_000 });
    await driver.get(url);
    const run = async (arg) => {
      const out = await driver.executeAsyncScript(`const done = arguments[arguments.length - 1]; ${call(arg)}.then(done, (e) => done({ error: String(e) }));`);
      if (out && typeof out === 'object') throw new Error(out.error);
      return out;
    };
    return { run, close: async () => (await driver.quit().catch(() => {}), proc.kill()) };
  },
};

const { server, url } = await serveRepo();
const rows = [];
const med = (a) => a.slice().sort((u, v) => u - v)[a.length >> 1];
for (const [name, launch] of Object.entries(ENGINES)) {
  let engine;
  try {
    engine = await launch(url);
  } catch (e) {
    engine = `could not start: ${e.message}`;
  }
  if (typeof engine === 'string') {
    console.log(`${name}: skipped, ${engine}`);
    continue;
  }
  try {
    for (const [figure, kind] of [
      ['awaited track() vs idb put + tx.done (per call)', 'track'],
      ["a track's transaction shape: stamp compared and kept, committed in the read's callback (a lone tab's)", 'shape-kept'],
      ['the same shape with a new stamp put (a track after another tab claimed the stamp)', 'shape'],
      ['the same shape without the stamp put, committed when the task ends', 'shape-no-stamp-put'],
    ]) {
      const ratios = [], p = [], b = [];
      for (let r = 0; r < ROUNDS; r++) {
        const order = r % 2 ? ['put', kind] : [kind, 'put'];
        const ms = {};
        for (const k of order) ms[k] = await engine.run({ kind: k, r, SEQ, segments: k === 'track' ? SEGMENTS : undefined });
        p.push(ms[kind]), b.push(ms.put), ratios.push(ms[kind] / ms.put);
      }
      rows.push({ engine: name, figure, 'project ms (median)': med(p).toFixed(2), 'baseline ms (median)': med(b).toFixed(2), 'ratio (median)': med(ratios).toFixed(2), 'ratio min–max': `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}` });
    }
  } catch (e) {
    console.log(`${name}: failed, ${e.message}`);
  } finally {
    await engine.close();
  }
}
console.log(`awaited track() and its shapes per engine: ${SEQ} sequential calls a round, ${ROUNDS} alternating rounds, one put awaiting its transaction as the baseline`);
console.table(rows);
server.close();
