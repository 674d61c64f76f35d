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

describe('safe-to-expose options from the CLI and its config file', () => {
  const TOKEN = 'cli-token-0123456789abcdef';
  it('--read-token, else COHORTKIT_READ_TOKEN; both checked, naming where the value came from', () => {
    expect(parseCollectorArgs(['--read-token', TOKEN], { COHORTKIT_READ_TOKEN: 'env-token-0123456789abcdef' }).readToken).toBe(TOKEN);
    expect(parseCollectorArgs([], { COHORTKIT_READ_TOKEN: 'env-token-0123456789abcdef' }).readToken).toBe('env-token-0123456789abcdef');
    expect(parseCollectorArgs(['--trust-proxy']).trustProxy).toBe(true);
    expect(() => parseCollectorArgs(['--read-token', 'short'])).toThrow(/^--read-token: /);
    expect(() => parseCollectorArgs(['--read-token=abcdefghijklmnopq\u0007'])).toThrow(/^--read-token: /);
    expect(() => parseCollectorArgs([], { COHORTKIT_READ_TOKEN: 'has spaces in it, sixteen+' })).toThrow(/^COHORTKIT_READ_TOKEN: /);
  });

  it('config keys readToken, epsilons, maxGroups, perAddressLimit, trustProxy, dedupeDays reach the collector', async () => {
    const cfg = join(dir, 'exposed.json');
    writeFileSync(cfg, JSON.stringify({ spaces: SPACES, readToken: TOKEN, epsilons: [1], maxGroups: 2, perAddressLimit: 3, trustProxy: true, dedupeDays: 2 }));
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const running = await runCli(['--config', cfg, '--port', '0', '--memory'], {});
    try {
      const url = running!.url;
      expect((await call(url, 'GET', '/v1/spaces')).status).toBe(401);
      expect((await call(url, 'GET', '/v1/spaces', undefined, { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
      const day = Math.floor(Date.now() / 86_400_000);
      const r = await call(url, 'POST', '/v1/reports', [
        ...makeReports(1, 60, { epoch: day - 3 }),
        ...makeReports(1, 61, { mechanism: 'grr', value: 0, epsilon: 2 } as never),
        ...makeReports(1, 62),
      ], { 'x-forwarded-for': '198.51.100.1' });
      expect(r.body.rejected.map((x: { error: string }) => x.error)).toEqual(['epoch: older than the dedupe window', 'epsilon: not accepted']);
      expect((await call(url, 'POST', '/v1/reports', makeReports(1, 63), { 'x-forwarded-for': '198.51.100.1' })).status).toBe(429);
      expect((await call(url, 'POST', '/v1/reports', makeReports(1, 64), { 'x-forwarded-for': '198.51.100.2' })).status).toBe(202);
      expect(String(log.mock.calls[0][0])).toMatch(/reads need the read token/);
    } finally {
      await running!.close();
      log.mockRestore();
    }
  });

  it.each([
    [{ maxGroups: 0 }, /^config\.maxGroups: /],
    [{ epsilons: [0] }, /^config\.epsilons: /],
    [{ perAddressLimit: -5 }, /^config\.perAddressLimit: /],
    [{ trustProxy: 'yes' }, /^config\.trustProxy: /],
    [{ dedupeDays: 1.5 }, /^config\.dedupeDays: /],
    [{ readToken: 'x' }, /^config\.readToken: /],
    [{ spaces: [{ id: 'A' }] }, /^config\.spaces\[0\]\.id: /],
    [{ nope: 1 }, /^config\.nope: unknown key/],
  ])('a bad config value %j fails naming its key', async (over, message) => {
    const cfg = join(dir, 'bad-exposed.json');
    writeFileSync(cfg, JSON.stringify({ spaces: SPACES, ...over }));
    await expect(runCli(['--config', cfg, '--memory'], {})).rejects.toThrow(message);
  });
});
