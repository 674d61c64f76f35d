// The tarball as `npm install cohortkit` delivers it: contents, exports, require(esm), optional peers.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { dryRunFiles, hasRequireEsm, ROOT, runNode } from './pack';

type ExportEntry = string | Record<string, string>;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  exports: Record<string, ExportEntry>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  bin?: Record<string, string>;
};
const entries = Object.entries(pkg.exports).filter((e): e is [string, Record<string, string>] => typeof e[1] === 'object');
const specifier = (key: string) => (key === '.' ? 'cohortkit' : `cohortkit/${key.slice(2)}`);

describe('npm pack', () => {
  const files = dryRunFiles().map((f) => f.path);

  it('holds dist/, README.md, CHANGELOG.md, LICENSE and package.json, nothing else', () => {
    for (const f of ['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json', 'dist/index.js', 'dist/cohortkit.iife.js', 'dist/cohortkit-interop.js', 'dist/cohortkit-collector.js']) {
      expect(files).toContain(f);
    }
    expect(files.filter((f) => !f.startsWith('dist/')).sort()).toEqual(['CHANGELOG.md', 'LICENSE', 'README.md', 'package.json']);
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} cohortkit contributors\n/);
  });

  it('every exports entry has types, import and default, all in the tarball', () => {
    expect(entries.map(([k]) => k)).toEqual(expect.arrayContaining(['.', './ldp', './server']));
    for (const [key, target] of entries) {
      expect(Object.keys(target), key).toEqual(['types', 'import', 'default']); // types first
      for (const file of Object.values(target)) expect(files, `${key} → ${file}`).toContain(file.slice(2));
    }
  });

  it('no declaration file has an extensionless relative import (TS2834 under nodenext)', () => {
    const dts = files.filter((f) => f.endsWith('.d.ts'));
    expect(dts.length).toBeGreaterThanOrEqual(entries.length);
    for (const f of dts) {
      const text = readFileSync(join(ROOT, f), 'utf8');
      const specs = [...text.matchAll(/\b(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);
      for (const s of specs.filter((x) => x.startsWith('.'))) expect(s, `${f}: ${s}`).toMatch(/\.js$/);
    }
  });

  it('every relative import resolves to a packed file, and every file under dist/chunks is reached from an entry point (no stale chunk)', () => {
    const roots = [...entries.flatMap(([, t]) => [t.types!, t.import!]), ...Object.values(pkg.bin ?? {})].map((f) => posix.normalize(f));
    const reached = new Set<string>();
    const queue = roots.filter((f) => files.includes(f));
    expect(queue.length).toBe(roots.length);
    while (queue.length) {
      const f = queue.pop()!;
      if (reached.has(f)) continue;
      reached.add(f);
      const text = readFileSync(join(ROOT, f), 'utf8');
      // Imports, and files opened by URL beside a module (the collector's PGlite thread).
      for (const m of text.matchAll(/\b(?:from|import\s*\(?|new URL\()\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
        const target = posix.join(posix.dirname(f), m[1]!);
        const file = f.endsWith('.d.ts') ? target.replace(/\.js$/, '.d.ts') : target;
        expect(files, `${f} imports ${m[1]}`).toContain(file);
        queue.push(file);
      }
    }
    const chunks = files.filter((f) => f.startsWith('dist/chunks/') && !f.endsWith('.map'));
    expect(chunks.length).toBeGreaterThan(0);
    expect(chunks.filter((c) => !reached.has(c))).toEqual([]);
    for (const c of chunks.filter((c) => c.endsWith('.js'))) expect(files).toContain(`${c}.map`);
  });
});

describe('installing the tarball', () => {
  const app = inject('app');

  it('pg and @electric-sql/pglite are optional peers, not installed with the package', () => {
    for (const name of ['pg', '@electric-sql/pglite']) {
      expect(pkg.peerDependencies?.[name], name).toBeTruthy();
      expect(pkg.peerDependenciesMeta?.[name]?.optional, name).toBe(true);
      expect(pkg.devDependencies?.[name], `${name} stays a devDependency for the repo's own tests`).toBeTruthy();
      expect(pkg.dependencies?.[name]).toBeUndefined();
      expect(pkg.optionalDependencies?.[name]).toBeUndefined();
      expect(existsSync(join(app, 'node_modules', name)), `${name} installed`).toBe(false);
    }
    // What a browser-only install brings: the package and idb.
    const top = readdirSync(join(app, 'node_modules')).filter((n) => !n.startsWith('.') && n !== '@types');
    expect(top.sort()).toEqual(['cohortkit', 'idb']);
  });

  it.each(entries.map(([k]) => specifier(k)))('import(%s) works in Node', (spec) => {
    const r = runNode(app, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(spec)}); console.log(JSON.stringify(Object.keys(m)))`]);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).length).toBeGreaterThan(0);
  });

  it.runIf(hasRequireEsm()).each(entries.map(([k]) => specifier(k)))('require(%s) works on Node ≥ 20.19 (same exports as import)', (spec) => {
    const code = `const viaRequire = Object.keys(require(${JSON.stringify(spec)})).sort();
import(${JSON.stringify(spec)}).then((m) => console.log(JSON.stringify({ viaRequire, viaImport: Object.keys(m).filter((k) => k !== 'module.exports').sort() })));`;
    const r = runNode(app, ['--input-type=commonjs', '-e', code]);
    expect(r.status, r.stderr).toBe(0);
    const { viaRequire, viaImport } = JSON.parse(r.stdout) as { viaRequire: string[]; viaImport: string[] };
    expect(viaRequire.filter((k) => k !== '__esModule')).toEqual(viaImport);
    expect(viaRequire.length).toBeGreaterThan(0);
  });

  it.runIf(hasRequireEsm())('a required client really runs: memory storage, consent, track, segments', () => {
    const code = `const { createClient, isCohortkitError } = require('cohortkit');
const { createEstimator } = require('cohortkit/server');
const { createMechanism } = require('cohortkit/ldp');
(async () => {
  const client = await createClient({ storage: 'memory', segments: [{ id: 'reader', description: 'reads', rule: { event: 'article_view' } }] });
  await client.consent.update({ personalization: true });
  const tracked = await client.track('article_view', { section: 'news' });
  const segments = (await client.segments()).map((s) => s.id);
  let error;
  try { await client.track(42); } catch (e) { error = isCohortkitError(e) && e.code; }
  await client.close();
  const m = createMechanism({ k: 3, epsilon: 1 });
  const est = createEstimator({ spaces: [{ id: 's', description: 'd', cohorts: [{ id: 'a', segment: 'reader' }], fallback: 'other' }] });
  console.log(JSON.stringify({ tracked: tracked.reason, segments, error, mechanism: m.name, n: est.estimate('s').n }));
})();`;
    const r = runNode(app, ['--input-type=commonjs', '-e', code]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ tracked: 'stored', segments: ['reader'], error: 'invalid-argument', mechanism: 'grr', n: 0 });
  });

  it.each([
    [{ dataDir: 'data' }, 'store.dataDir', '@electric-sql/pglite'],
    [{ databaseUrl: 'postgres://127.0.0.1:1/none' }, 'store.databaseUrl', 'pg'],
  ])('a collector store whose driver is missing (%j) fails naming the package and the install command', (store, path, name) => {
    const code = `import { openStore, createCollector } from 'cohortkit/server';
import { isCohortkitError } from 'cohortkit';
import { request } from 'node:http';
const out = {};
try { await openStore(${JSON.stringify(store)}); } catch (e) { out.open = { cohortkit: isCohortkitError(e), code: e.code, message: e.message }; }
// The collector opens its store lazily: its health check answers 503 with the same explanation.
const handler = createCollector({ spaces: [{ id: 's', description: 'd', cohorts: [{ id: 'a', segment: 'x' }], fallback: 'other' }], store: ${JSON.stringify(store)} });
const { createServer } = await import('node:http');
const server = createServer(handler).listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
out.health = await new Promise((resolve, reject) => {
  const req = request({ host: '127.0.0.1', port: server.address().port, path: '/healthz' }, (res) => {
    let text = ''; res.on('data', (c) => (text += c)); res.on('end', () => resolve({ status: res.statusCode, text }));
  });
  req.on('error', reject); req.end();
});
server.close(); await handler.close();
console.log(JSON.stringify(out));`;
    const r = runNode(inject('app'), ['--input-type=module', '-e', code]);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { open: { cohortkit: boolean; code: string; message: string }; health: { status: number; text: string } };
    expect(out.open).toEqual({ cohortkit: true, code: 'invalid-options', message: expect.stringContaining(`${path}:`) });
    expect(out.open.message).toContain(`npm install ${name}`);
    expect(out.health.status).toBe(503);
    expect(out.health.text).toContain(`npm install ${name}`);
  });
  it('npx cohortkit-collector without PGlite installed: starts, and /healthz says what to install', async () => {
    const app = inject('app');
    writeFileSync(join(app, 'spaces.json'), JSON.stringify({ spaces: [{ id: 's', description: 'd', cohorts: [{ id: 'a', segment: 'x' }], fallback: 'other' }] }));
    const bin = join(app, 'node_modules/.bin/cohortkit-collector');
    const child = spawn(bin, ['--config', 'spaces.json', '--port', '0', '--data-dir', join(app, 'collector-data')], { cwd: app, env: { ...process.env, DATABASE_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let text = '';
        child.stdout.on('data', (c: Buffer) => {
          text += c;
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`collector exited ${code}: ${text}`)));
      });
      const res = await fetch(`${url}/healthz`);
      expect(res.status).toBe(503);
      expect(await res.text()).toContain('npm install @electric-sql/pglite');
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(null)));
    }
    expect(existsSync(join(app, 'collector-data'))).toBe(false);
  });
});
