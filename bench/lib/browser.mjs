// What the Chromium benches share: the repository served on loopback (a page with an import map
// for idb, the built dist/ and node_modules beside it) and Debian's Chromium in a given profile.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join, normalize, extname, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.html': 'text/html' };
const PAGE = '<!doctype html><title>bench</title><script type="importmap">{"imports":{"idb":"/node_modules/idb/build/index.js"}}</script>';

/** Serves the repository on 127.0.0.1; `url` is the bench page. */
export async function serveRepo() {
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (path === '/' || path === '/bench.html') return res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    const file = normalize(join(ROOT, path));
    if (!file.startsWith(ROOT)) return res.writeHead(403).end();
    let data;
    try {
      data = readFileSync(file);
    } catch {
      return res.writeHead(404).end();
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(data);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${server.address().port}/bench.html` };
}

/** Debian's Chromium (CHROMIUM_PATH, default /usr/bin/chromium), headless, in the profile `dir`. */
export const launchChromium = (dir) =>
  chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
  });
