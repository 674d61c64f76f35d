// A Vite app that installs the packed tarball (browser only: no pg, no PGlite) and builds.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, inject, it } from 'vitest';
import { installProject, ROOT } from './pack';

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
});
