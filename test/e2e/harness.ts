import { mkdtempSync, readFileSync } from 'node:fs';
import { removeProfileDir } from './profile-dir';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const ROOT = join(import.meta.dirname, '..', '..');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.css': 'text/css',
};

export interface TestServer {
  url: string;
  close(): Promise<void>;
  /** Pages registered in memory: path → { body, headers }. */
  pages: Map<string, { body: string; headers?: Record<string, string> }>;
  /** Every request the server saw: method, path, headers, body. */
  requests: Array<{ method: string; path: string; headers: Record<string, unknown>; body: string }>;
  /** Handler for API routes (e.g. a collector). Return true if handled. */
  handler?: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => boolean;
}

/** A static server on 127.0.0.1 serving the repository (dist/, examples/) and in-memory pages. */
export async function startServer(): Promise<TestServer> {
  const pages = new Map<string, { body: string; headers?: Record<string, string> }>();
  const requests: TestServer['requests'] = [];
  const ts = { pages, requests } as TestServer;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const path = new URL(req.url!, 'http://x').pathname;
      requests.push({ method: req.method!, path, headers: req.headers, body });
      if (path === '/favicon.ico') return res.writeHead(204).end();
      if (ts.handler?.(Object.assign(req, { bodyText: body }), res)) return;
      const page = pages.get(path);
      if (page) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...page.headers });
        return res.end(page.body);
      }
      const file = normalize(join(ROOT, path));
      if (!file.startsWith(ROOT)) return res.writeHead(403).end();
      try {
        const data = readFileSync(file);
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
        res.end(data);
      } catch {
        res.writeHead(404).end('not found');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  ts.url = `http://127.0.0.1:${addr.port}`;
  ts.close = () => new Promise((r) => server.close(() => r()));
  return ts;
}

export interface BrowserHandle {
  context: BrowserContext;
  /** Uncaught page errors and console errors, per page. */
  errors: string[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Debian's Chromium through playwright-core, with a fresh profile. Never downloads a browser.
 * @param opts.incognito an off-the-record context (storage in memory, gone on close) instead of a profile
 * @param opts.args more command-line switches (e.g. `--host-resolver-rules=…` for a name that is not a secure context)
 * @param opts.bfcache keep the back/forward cache on (playwright turns it off by default)
 */
export async function launch(opts: { incognito?: boolean; args?: string[]; bfcache?: boolean } = {}): Promise<BrowserHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'cohortkit-e2e-'));
  const launchOptions = {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS, ...(opts.args ?? [])],
    ...(opts.bfcache && { ignoreDefaultArgs: ['--disable-back-forward-cache'] }),
  };
  const context = opts.incognito
    ? await (await chromium.launch(launchOptions)).newContext()
    : await chromium.launchPersistentContext(dir, launchOptions);
  const errors: string[] = [];
  const watch = (p: Page) => {
    p.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    p.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  return {
    context,
    errors,
    newPage: () => context.newPage(),
    async close() {
      await context.close();
      await context.browser()?.close();
      removeProfileDir(dir);
    },
  };
}

/** Load the built ESM entry in a page via an import map-free dynamic import. */
export const esmEntry = '/dist/index.js';
