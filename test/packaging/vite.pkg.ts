// A Vite app that installs the packed tarball (browser only: no pg, no PGlite) and builds.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { expect, inject, it } from 'vitest';
import { launch } from '../e2e/harness';
import { installProject, ROOT } from './pack';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let built: string | undefined;

it('vite build bundles cohortkit from the tarball into a browser chunk', () => {
  const app = installProject(inject('temp'), 'vite-app', inject('tarball'), 'vite-app');
  expect(existsSync(join(app, 'node_modules/pg'))).toBe(false);
  expect(existsSync(join(app, 'node_modules/@electric-sql/pglite'))).toBe(false);
  const vite = join(ROOT, 'node_modules/vite/bin/vite.js');
  const r = spawnSync(process.execPath, [vite, 'build'], { cwd: app, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });
  const version = JSON.parse(readFileSync(join(ROOT, 'node_modules/vite/package.json'), 'utf8')).version;
  console.log(`[vite ${version}] vite build\n${r.stdout}${r.stderr}`);
  expect(r.status, r.stderr).toBe(0);

  const assets = readdirSync(join(app, 'dist/assets')).filter((f) => f.endsWith('.js'));
  expect(assets.length).toBeGreaterThan(0);
  const js = assets.map((f) => readFileSync(join(app, 'dist/assets', f), 'utf8')).join('\n');
  expect(js).toContain('cohortkit'); // the SDK is in the bundle (its IndexedDB name, error name)
  expect(js).toContain('Welcome back, reader');
  for (const serverOnly of ['node:http', '@electric-sql/pglite', 'createCollector', '__DEV__']) expect(js).not.toContain(serverOnly);
  expect(readFileSync(join(app, 'dist/index.html'), 'utf8')).toMatch(/<script type="module" crossorigin src="\/assets\/[^"]+\.js">/);
  built = join(app, 'dist');
});

// The built app in Chromium (CI installs it; elsewhere skipped without it): nothing personalised
// before consent, then the reader variant after consent and a reload (IndexedDB kept the signal).
it.runIf(existsSync(chromiumPath) || process.env.CI)('the built app runs in Chromium: fallback before consent, the segment after', async () => {
  expect(built, 'vite build ran').toBeDefined();
  const root = built!;
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript' };
  const server = createServer((req, res) => {
    const path = new URL(req.url!, 'http://x').pathname;
    if (path === '/favicon.ico') return res.writeHead(204).end();
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    if (!file.startsWith(root) || !existsSync(file)) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    await page.goto(url);
    await page.waitForSelector('body[data-reason]');
    expect(await page.getAttribute('body', 'data-reason')).toBe('no-consent');
    expect(await page.textContent('#hero')).toBe('Welcome');
    await page.click('#accept');
    await page.waitForSelector('body[data-consent="granted"]');
    await page.reload();
    await page.waitForSelector('body[data-reason]');
    expect(await page.getAttribute('body', 'data-reason')).toBe('segment');
    expect(await page.textContent('#hero')).toBe('Welcome back, reader');
    expect(browser.errors).toEqual([]);
  } finally {
    await browser.close();
    await new Promise((r) => server.close(r));
  }
});
