// @vitest-environment node
// The CLI's flag values (boolean flags, --host, --port, DATABASE_URL) and the config's allowOrigins.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createCollector, parseCollectorArgs, runCli, startCollectorServer } from '../../src/server/index';
import { call, makeReports, SPACES } from './collector-helpers';

const dir = mkdtempSync(join(tmpdir(), 'cohortkit-cli-flags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const config = (name: string, cfg: unknown): string => {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(cfg));
  return file;
};

describe('boolean flags take no value, true or false', () => {
  it('--trust-proxy=false and --memory=false are off; =true is on', () => {
    expect(parseCollectorArgs(['--trust-proxy=false']).trustProxy).toBe(false);
    expect(parseCollectorArgs(['--trust-proxy=true']).trustProxy).toBe(true);
    expect(parseCollectorArgs(['--trust-proxy']).trustProxy).toBe(true);
    expect(parseCollectorArgs([]).trustProxy).toBeUndefined();
    expect(parseCollectorArgs(['--memory=false']).memory).toBe(false);
    expect(parseCollectorArgs(['--memory=true']).memory).toBe(true);
    expect(parseCollectorArgs(['--help=false']).help).toBe(false);
  });
  it.each(['--trust-proxy=yes', '--trust-proxy=', '--trust-proxy=FALSE', '--trust-proxy=0', '--memory=no', '--help=1'])('refuses %s naming the flag', (arg) => {
    const flag = arg.split('=')[0];
    expect(() => parseCollectorArgs([arg])).toThrow(`${flag}: expected no value, true or false`);
  });
  it('--trust-proxy=false counts the socket address (X-Forwarded-For cannot dodge perAddressLimit), and wins over the config', async () => {
    const cfg = config('proxy.json', { spaces: SPACES, perAddressLimit: 1, trustProxy: true });
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const running = await runCli(['--config', cfg, '--memory', '--port', '0', '--trust-proxy=false'], {});
    try {
      const a = await call(running!.url, 'POST', '/v1/reports', makeReports(1, 901), { 'x-forwarded-for': '198.51.100.1' });
      const b = await call(running!.url, 'POST', '/v1/reports', makeReports(1, 902), { 'x-forwarded-for': '198.51.100.2' });
      expect([a.status, b.status]).toEqual([202, 429]);
    } finally {
      await running!.close();
      log.mockRestore();
    }
  });
  it('--memory=false opens the store named by the environment, not memory', async () => {
    const cfg = config('mem.json', { spaces: SPACES });
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const running = await runCli(['--config', cfg, '--memory=false', '--port', '0', '--data-dir', join(dir, 'pg')], {});
    try {
      expect(String(log.mock.calls[0][0])).toMatch(/store: pglite at /);
    } finally {
      await running!.close();
      log.mockRestore();
    }
  });
});

describe('--host and --port', () => {
  it.each([[['--host', '']], [['--host=']], [['--host', '  ']]])('refuses an empty or blank host %j', (argv) => {
    expect(() => parseCollectorArgs(argv)).toThrow('--host: expected an address');
  });
  it('startCollectorServer refuses an empty host (it would listen on every interface)', async () => {
    await expect(startCollectorServer({ spaces: SPACES, host: '' })).rejects.toThrow('host: expected an address');
  });
  it.each(['', ' ', '0x10', '1e3', '-1', '+80', '1.0', '65536', '123456', '80 '])('refuses --port %j', (p) => {
    expect(() => parseCollectorArgs(['--port', p])).toThrow('--port: expected 0-65535');
    expect(() => parseCollectorArgs([`--port=${p}`])).toThrow('--port: expected 0-65535');
  });
  it.each([['0', 0], ['8080', 8080], ['65535', 65535], ['09800', 9800]])('takes --port %s', (p, n) => {
    expect(parseCollectorArgs(['--port', p]).port).toBe(n);
  });
});

describe('config allowOrigins', () => {
  it.each([
    ['a string', 'https://shop.example', /^config\.allowOrigins: expected an array of origins/],
    ['an object', { a: 1 }, /^config\.allowOrigins: expected an array of origins/],
    ['a number in it', ['https://a.example', 3], /^config\.allowOrigins\[1\]: expected an origin/],
    ['a path', ['https://a.example/'], /^config\.allowOrigins\[0\]: expected an origin/],
    ['no scheme', ['shop.example'], /^config\.allowOrigins\[0\]: expected an origin/],
    ['a single letter', ['h'], /^config\.allowOrigins\[0\]: expected an origin/],
    ['*', ['*'], /^config\.allowOrigins\[0\]: .*omit allowOrigins/],
    ['null', ['null'], /^config\.allowOrigins\[0\]: expected an origin/],
    ['a default port', ['https://a.example:443'], /^config\.allowOrigins\[0\]: expected an origin/],
    ['upper case', ['https://Shop.example'], /^config\.allowOrigins\[0\]: expected an origin/],
  ])('refuses %s, naming the key', async (_, allowOrigins, message) => {
    const cfg = config('origins.json', { spaces: SPACES, allowOrigins });
    await expect(runCli(['--config', cfg, '--memory', '--port', '0'], {})).rejects.toThrow(message);
  });
  it('--allow-origin values are checked too, naming the flag', () => {
    expect(() => parseCollectorArgs(['--allow-origin', 'https://a.example/path'])).toThrow(/^--allow-origin: expected an origin/);
    expect(() => parseCollectorArgs(['--allow-origin', ''])).toThrow(/^--allow-origin: expected an origin/);
  });
  it('createCollector names the index of a bad origin', () => {
    expect(() => createCollector({ spaces: SPACES, allowOrigins: ['https://a.example', 'https://b.example/x'] })).toThrow(/^allowOrigins\[1\]: expected an origin/);
  });
  it('accepts origins with a port or another scheme, and the real origin is allowed', async () => {
    const cfg = config('origins-ok.json', { spaces: SPACES, allowOrigins: ['https://shop.example', 'http://localhost:3000', 'http://[::1]:8080'] });
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const running = await runCli(['--config', cfg, '--memory', '--port', '0'], {});
    try {
      expect((await call(running!.url, 'GET', '/healthz', undefined, { origin: 'https://shop.example' })).status).toBe(200);
      expect((await call(running!.url, 'GET', '/healthz', undefined, { origin: 'h' })).status).toBe(403);
      expect((await call(running!.url, 'GET', '/healthz', undefined, { origin: 'http://localhost:3000' })).status).toBe(200);
    } finally {
      await running!.close();
      log.mockRestore();
    }
  });
});

describe('config storeTimeoutMs', () => {
  it.each([0, -1, 1.5, 'x', 1e12])('refuses %j naming the key', async (storeTimeoutMs) => {
    const cfg = config('timeout.json', { spaces: SPACES, storeTimeoutMs });
    await expect(runCli(['--config', cfg, '--memory', '--port', '0'], {})).rejects.toThrow(/^config\.storeTimeoutMs: expected an integer in \[1, 3600000\]/);
  });
});

describe('DATABASE_URL is checked at start, never echoed', () => {
  const SECRET = 'S3CRETPW';
  it.each([
    `postgres://u:${SECRET}@127.0.0.1:notaport/db`,
    `postgres://u:${SECRET}@[::1/db`,
    `postgres://u:S3CR%ETPW@127.0.0.1:5432/db`,
    SECRET,
    `mysql://u:${SECRET}@127.0.0.1/db`,
    `http://u:${SECRET}@127.0.0.1/db`,
    '',
  ])('refuses %j naming where it came from', async (url) => {
    for (const [argv, env, name] of [
      [[], { DATABASE_URL: url }, 'DATABASE_URL'],
      [['--database-url', url], {}, '--database-url'],
    ] as const) {
      let err: Error | undefined;
      try {
        parseCollectorArgs([...argv], env);
      } catch (e) {
        err = e as Error;
      }
      expect(err?.message).toMatch(new RegExp(`^${name}: expected a postgres:// or postgresql:// URL`));
      expect(err!.message).not.toContain('S3CR');
      expect(String((err as { cause?: unknown }).cause ?? '')).not.toContain('S3CR');
    }
  });
  it.each(['postgres://u:pw@db:5432/cohortkit', 'postgresql://localhost/db', 'postgres:///db?host=/var/run/postgresql', 'postgres://u:p%40ss@h/db'])('takes %s', (url) => {
    expect(parseCollectorArgs([], { DATABASE_URL: url }).databaseUrl).toBe(url);
  });
  it('createCollector refuses a malformed store.databaseUrl at once', () => {
    expect(() => createCollector({ spaces: SPACES, store: { databaseUrl: `postgres://u:${SECRET}@h:x/db` } })).toThrow(/^store\.databaseUrl: expected a postgres:\/\/ or postgresql:\/\/ URL/);
  });
});
