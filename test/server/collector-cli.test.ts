// @vitest-environment node
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { parseCollectorArgs, runCli, startCollectorServer } from '../../src/server/index';
import { call, makeReports, SPACES } from './collector-helpers';

const dir = mkdtempSync(join(tmpdir(), 'cohortkit-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseCollectorArgs', () => {
  it('reads flags (repeatable --allow-origin, --flag=value) over the environment', () => {
    const o = parseCollectorArgs(
      ['--port', '9000', '--host=0.0.0.0', '--allow-origin', 'https://a.example', '--allow-origin=https://b.example', '--config', 'spaces.json', '--data-dir', 'd'],
      { COHORTKIT_DATA_DIR: 'env-dir', DATABASE_URL: 'postgres://x' },
    );
    expect(o).toMatchObject({ port: 9000, host: '0.0.0.0', allowOrigins: ['https://a.example', 'https://b.example'], config: 'spaces.json', dataDir: 'd' });
    // an explicit --data-dir is not overridden by DATABASE_URL in the environment
    expect(o.databaseUrl).toBeUndefined();
    expect(parseCollectorArgs([], { COHORTKIT_DATA_DIR: 'env-dir' })).toMatchObject({ port: 8787, host: '127.0.0.1', dataDir: 'env-dir', allowOrigins: [] });
  });
  it('a store flag wins over the environment; the environment prefers DATABASE_URL', () => {
    const env = { COHORTKIT_DATA_DIR: 'env-dir', DATABASE_URL: 'postgres://env' };
    const flag = parseCollectorArgs(['--database-url', 'postgres://flag'], env);
    expect([flag.databaseUrl, flag.dataDir]).toEqual(['postgres://flag', undefined]);
    const fromEnv = parseCollectorArgs([], env);
    expect([fromEnv.databaseUrl, fromEnv.dataDir]).toEqual(['postgres://env', undefined]);
    expect(() => parseCollectorArgs(['--data-dir', 'd', '--database-url', 'postgres://x'])).toThrow(/choose one store/);
  });
  it.each([[['--port', 'x']], [['--port', '70000']], [['--nope']], [['--config']]])('rejects %j', (argv) => {
    expect(() => parseCollectorArgs(argv)).toThrow(/^--/);
  });
});

describe('runCli', () => {
  it('starts from a config file, merges origins, logs one line per batch', async () => {
    const cfg = join(dir, 'spaces.json');
    writeFileSync(cfg, JSON.stringify({ spaces: SPACES, minCount: 3, allowOrigins: ['https://a.example'] }));
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const running = await runCli(['--config', cfg, '--port', '0', '--memory', '--allow-origin', 'https://b.example'], {});
    try {
      expect(running!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await call(running!.url, 'POST', '/v1/reports', makeReports(2, 51), { origin: 'https://b.example' })).status).toBe(202);
      expect((await call(running!.url, 'POST', '/v1/reports', '[]', { origin: 'https://c.example' })).status).toBe(403);
      const lines = log.mock.calls.map((c) => String(c[0]));
      expect(lines[0]).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+ \(store: memory\)/);
      expect(lines.filter((l) => l.includes('batch:'))).toHaveLength(1);
      expect(process.listenerCount('SIGTERM')).toBeGreaterThan(0);
    } finally {
      await running!.close();
      log.mockRestore();
    }
  });
  it('fails clearly without --config, or with an unknown config key', async () => {
    await expect(runCli([], {})).rejects.toThrow(/--config: required/);
    const cfg = join(dir, 'bad.json');
    writeFileSync(cfg, JSON.stringify({ spaces: SPACES, port: 1 }));
    await expect(runCli(['--config', cfg], {})).rejects.toThrow(/config\.port: unknown key/);
    await expect(runCli(['--config', join(dir, 'missing.json')], {})).rejects.toThrow(/cannot read/);
  });
});

describe('startCollectorServer static files', () => {
  it('serves files under the prefix and nothing outside the directory', async () => {
    const root = join(dir, 'www');
    mkdirSync(join(root, 'sub'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<h1>demo</h1>');
    writeFileSync(join(root, 'sub', 'app.js'), 'console.log(1)');
    writeFileSync(join(dir, 'secret.txt'), 'secret');
    symlinkSync(join(dir, 'secret.txt'), join(root, 'link.txt'));
    const s = await startCollectorServer({ spaces: SPACES, static: { dir: root, prefix: '/demo/' } });
    try {
      const index = await call(s.url, 'GET', '/demo/');
      expect(index.status).toBe(200);
      expect(index.body).toBe('<h1>demo</h1>');
      expect(index.headers['content-type']).toMatch(/text\/html/);
      const js = await call(s.url, 'GET', '/demo/sub/app.js');
      expect(js.headers['content-type']).toMatch(/javascript/);
      for (const p of ['/demo/../secret.txt', '/demo/%2e%2e/secret.txt', '/demo/sub/%2e%2e%2f..%2fsecret.txt', '/demo/link.txt', '/demo/nope.html', '/demo/%00', '/demo/..%5csecret.txt']) {
        const r = await call(s.url, 'GET', p);
        expect(r.status, p).toBeGreaterThanOrEqual(400);
        expect(String(r.body)).not.toContain('secret');
      }
      expect((await call(s.url, 'GET', '/demo/%E0%A4%A')).status).toBe(400);
      expect((await call(s.url, 'POST', '/demo/index.html', '[]')).status).toBe(405);
      expect((await call(s.url, 'GET', '/healthz')).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});
