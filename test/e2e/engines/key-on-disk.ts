// What a reader of the browser profile's files gets: a page stores a non-extractable AES key
// (imported from bytes it knows, so they can be searched for) in IndexedDB exactly as
// encryptAtRest stores its keys (a CryptoKey in an object, structured-cloned), and we search the
// profile directory for those bytes; before that the page makes a plain and an encrypted
// cohortkit visit, and we search every file of the profile for what each tracked. Each engine runs with a profile directory of our own
// (the adapters' WebKit session is ephemeral: MiniBrowser under automation keeps IndexedDB in
// memory, so WebKit runs here as a plain MiniBrowser with its XDG directories in a temp dir).
import { spawn } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { removeProfileDir } from '../profile-dir';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';
import { CHROMIUM_ARGS, type TestServer } from '../harness';
import { FIREFOX_PATH } from './firefox';
import type { EngineName } from './types';
import { miniBrowserPath } from './webkit';

export const KEY_PROBE_PATH = '/key-probe.html';
const REPORT = '/key-probe-report';

/** The probe page (no CSP: an inline script, since WebKit runs without a driver to evaluate in it). */
export const KEY_PROBE_PAGE = `<!doctype html><html><head><meta charset="utf-8"><script src="/dist/cohortkit.iife.js"></script></head><body><p>key probe</p><script>
(async () => {
  let hex = '', err = 'ok';
  try {
    // First two cohortkit visits, a plain one (zp_ names, the control) and an encrypted one (zq_).
    // Names are built at run time, so that this page's own source (in the HTTP cache) holds none.
    for (const [p, encryptAtRest] of [['zp', false], ['zq', true]]) {
      const z = (s) => [p, s].join('_');
      const c = await Cohortkit.createClient({
        namespace: p, encryptAtRest,
        purposes: [{ id: z('personal_purpose') }],
        segments: [{ id: z('reader_seg'), description: 'r', rule: { event: z('article_view'), where: { topic: z('sports_prop') } }, purposes: [z('personal_purpose')] }],
        interests: [{ id: z('hiking_interest'), label: 'H', purposes: [z('personal_purpose')] }],
      });
      await c.consent.update({ [z('personal_purpose')]: true });
      await c.track(z('article_view'), { topic: z('sports_prop') });
      await c.interests.declare([z('hiking_interest')]);
      if ((await c.segments()).length !== 1) throw new Error('no segment');
      await c.close();
    }
    const raw = crypto.getRandomValues(new Uint8Array(32));
    hex = Array.from(raw, (b) => b.toString(16).padStart(2, '0')).join('');
    const aes = await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
    const db = await new Promise((res, rej) => {
      const r = indexedDB.open('key-probe');
      r.onupgradeneeded = () => r.result.createObjectStore('meta');
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    await new Promise((res, rej) => {
      const tx = db.transaction('meta', 'readwrite');
      tx.objectStore('meta').put({ aes }, 'cohortkit:keys');
      tx.oncomplete = res;
      tx.onabort = () => rej(tx.error);
    });
    db.close();
  } catch (e) {
    err = String(e);
  }
  fetch('${REPORT}', { method: 'POST', body: JSON.stringify({ hex, err }) });
})();
</script></body></html>`;

// The browser is still running while we look, so a file may vanish between listing and reading it
// (Firefox writes `prefs-1.js` and renames it over `prefs.js`; WebKit's shader cache): such a file
// is skipped, not a failure. Any other error still fails the test.
const gone = (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOENT';
const files = (d: string): string[] => {
  let names: string[];
  try {
    names = readdirSync(d);
  } catch (e) {
    if (gone(e)) return [];
    throw e;
  }
  return names.flatMap((f) => {
    const p = join(d, f);
    try {
      const s = lstatSync(p);
      return s.isDirectory() ? files(p) : s.isFile() ? [p] : [];
    } catch (e) {
      if (gone(e)) return [];
      throw e;
    }
  });
};
/** Every file of `dir` that still exists, with its bytes. */
const contents = (dir: string): (readonly [string, Buffer])[] =>
  files(dir).flatMap((f) => {
    try {
      return [[relative(dir, f), readFileSync(f)] as const];
    } catch (e) {
      if (gone(e)) return [];
      throw e;
    }
  });

async function until<T>(what: string, fn: () => T | undefined, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The names both visits track, without their `zp_` / `zq_` prefix. */
export const PROBE_NAMES = ['article_view', 'sports_prop', 'reader_seg', 'hiking_interest', 'personal_purpose'];

/**
 * Opens the probe page in `engine` with a fresh profile and returns the files of that profile
 * (relative paths) that contain the stored key's raw bytes, once the page reported the key
 * stored (polled for up to 10 s while the browser is still running), and for each tracked name
 * (`zp_…` plain, `zq_…` encrypted) the files that contain it. `err` is the page's error.
 */
export async function keyBytesOnDisk(engine: EngineName, server: TestServer): Promise<{ err: string; files: string[]; names: Record<string, string[]> }> {
  const dir = mkdtempSync(join(tmpdir(), `cohortkit-e2e-key-${engine}-`));
  const url = `${server.url}${KEY_PROBE_PATH}`;
  const seen = server.requests.length;
  const report = () => server.requests.slice(seen).find((r) => r.path === REPORT);
  let stop: () => Promise<void>;
  if (engine === 'chromium') {
    const ctx = await chromium.launchPersistentContext(dir, { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
    await (await ctx.newPage()).goto(url);
    stop = () => ctx.close();
  } else if (engine === 'firefox') {
    const b = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX_PATH, headless: true, userDataDir: dir, extraPrefsFirefox: { 'network.dns.disablePrefetch': true, 'network.prefetch-next': false } });
    await (await b.newPage()).goto(url);
    stop = () => b.close();
  } else {
    if (!process.env.DISPLAY) throw new Error('WebKit (MiniBrowser) needs a display: run under `xvfb-run -a`');
    const env = { ...process.env, HOME: dir, XDG_DATA_HOME: join(dir, 'data'), XDG_CACHE_HOME: join(dir, 'cache'), XDG_CONFIG_HOME: join(dir, 'config') };
    const proc = spawn(miniBrowserPath(), [url], { env, stdio: 'ignore' });
    stop = () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        const kill = setTimeout(() => proc.kill('SIGKILL'), 5000);
        proc.once('exit', () => (clearTimeout(kill), resolve()));
        proc.kill('SIGTERM');
      });
  }
  try {
    const { hex, err } = JSON.parse((await until('the probe page to report', report)).body) as { hex: string; err: string };
    if (err !== 'ok') return { err, files: [], names: {} };
    const needle = Buffer.from(hex, 'hex');
    const search = () => contents(dir).filter(([, b]) => b.includes(needle)).map(([f]) => f);
    const found = await until('the key bytes on disk', () => (search().length ? search() : undefined), 10_000).catch(() => []);
    // Each name as UTF-8/Latin-1 and as UTF-16LE (how some engines serialize strings).
    const all = contents(dir);
    const names: Record<string, string[]> = {};
    for (const p of ['zp', 'zq'])
      for (const n of PROBE_NAMES) {
        const t = `${p}_${n}`;
        names[t] = all.filter(([, b]) => b.includes(Buffer.from(t, 'utf8')) || b.includes(Buffer.from(t, 'utf16le'))).map(([f]) => f);
      }
    return { err, files: found, names };
  } finally {
    await stop();
    removeProfileDir(dir);
  }
}
