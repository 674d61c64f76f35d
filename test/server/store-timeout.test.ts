// @vitest-environment node
// A store that stops answering: bounded waits, 503 + Retry-After, /healthz says so, nothing lost;
// and store failures reach anonymous clients as a generic message (the cause goes to stderr).
// The PostgreSQL part (a TCP proxy in front of DATABASE_URL that can freeze) skips without it.
import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createMemoryStore, createSqlStore, startCollectorServer, type CollectorStore, type SqlDriver } from '../../src/server/index';
import { call, makeReports, SPACES } from './collector-helpers';

const GENERIC = "store unavailable: details in the collector's log";
const never = <T>(): Promise<T> => new Promise<T>(() => {});

describe('a store that stops answering (no database needed)', () => {
  it('a stuck transaction answers 503 + Retry-After within storeTimeoutMs; the next requests proceed; nothing is lost', async () => {
    const base = createMemoryStore();
    let stuck = false;
    const store: CollectorStore = {
      kind: 'custom',
      init: () => base.init(),
      addBatch: (r, t) => (stuck ? never() : base.addBatch(r, t)),
      rows: (s, e) => base.rows(s, e),
      epochs: (s, v) => base.epochs(s, v),
      close: () => base.close(),
    };
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const srv = await startCollectorServer({ spaces: SPACES, store, storeTimeoutMs: 300, perAddressLimit: false });
    try {
      expect((await call(srv.url, 'POST', '/v1/reports', makeReports(2, 1))).status).toBe(202);
      stuck = true;
      const [a, b] = [makeReports(3, 2), makeReports(3, 3)];
      const t0 = Date.now();
      const stuckReplies = await Promise.all([a, b].map((x) => call(srv.url, 'POST', '/v1/reports', x)));
      expect(Date.now() - t0).toBeLessThan(3000);
      for (const r of stuckReplies) {
        expect(r.status).toBe(503);
        expect(r.headers['retry-after']).toMatch(/^\d+$/);
        expect(r.body.error).toMatch(/^store unavailable: no answer from the store within 300 ms/);
      }
      stuck = false;
      // The client retries the same reports: counted once each.
      for (const x of [a, b]) expect((await call(srv.url, 'POST', '/v1/reports', x)).body).toEqual({ accepted: 3, rejected: [] });
      expect((await call(srv.url, 'GET', '/v1/estimates?space=lifecycle')).body.n).toBe(8);
    } finally {
      await srv.close();
      err.mockRestore();
    }
  });

  it('/healthz pings a SQL store with a short timeout: 503 {"ok":false} while it does not answer, 200 again after', async () => {
    let frozen = false;
    const answer = async (sql: string) => (frozen && sql === 'select 1' ? never<{ rows: any[] }>() : { rows: [] as any[] });
    const driver: SqlDriver = { query: answer, transaction: (fn) => fn({ query: answer }), close: async () => {} };
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const srv = await startCollectorServer({ spaces: SPACES, store: createSqlStore('fake', async () => driver), storeTimeoutMs: 5000 });
    try {
      expect((await call(srv.url, 'GET', '/healthz')).body).toEqual({ ok: true, store: 'fake' });
      frozen = true;
      const t0 = Date.now();
      const r = await call(srv.url, 'GET', '/healthz');
      expect(Date.now() - t0).toBeLessThan(4000);
      expect(r.status).toBe(503);
      expect(r.headers['retry-after']).toMatch(/^\d+$/);
      expect(r.body).toMatchObject({ ok: false, store: 'fake' });
      expect(r.body.error).toMatch(/^store unavailable/);
      frozen = false;
      expect((await call(srv.url, 'GET', '/healthz')).status).toBe(200);
    } finally {
      await srv.close();
      err.mockRestore();
    }
  });

  it('an unreachable PostgreSQL: clients get a generic 503 (no driver text, user, host or port); stderr gets the cause once, never the password', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    // Nothing listens on 9871.
    const srv = await startCollectorServer({ spaces: SPACES, store: { databaseUrl: 'postgres://leakuser:S3CRETPW@127.0.0.1:9871/db' } });
    try {
      for (const [method, path, body] of [['POST', '/v1/reports', makeReports(2, 5)], ['GET', '/healthz'], ['GET', '/v1/spaces'], ['POST', '/v1/reports', makeReports(2, 6)]] as const) {
        const r = await call(srv.url, method, path, body);
        expect(r.status).toBe(503);
        expect(r.body.error).toBe(GENERIC);
        expect(JSON.stringify(r.body)).not.toMatch(/ECONNREFUSED|9871|127\.0\.0\.1|leakuser|S3CRET/);
      }
      const lines = err.mock.calls.map((c) => c.map(String).join(' '));
      expect(lines.filter((l) => l.includes('ECONNREFUSED'))).toHaveLength(1);
      expect(lines.join('\n')).not.toContain('S3CRET');
    } finally {
      await srv.close();
      err.mockRestore();
    }
  });
});

const url = process.env.DATABASE_URL;
const suite = url ? describe : describe.skip;
if (!url) console.warn('store-timeout: PostgreSQL part skipped, DATABASE_URL is not set (source .ci/postgres to run it)');

suite('PostgreSQL behind a TCP proxy that freezes (DATABASE_URL)', () => {
  const schema = `cohortkit_timeout_${process.pid}`;
  const PROXY = 9873;
  let frozen = false;
  let held: Array<() => void> = [];
  const sockets = new Set<net.Socket>();
  let proxy: net.Server;
  let admin: pg.Client;
  // Parsed in beforeAll: a skipped suite's body still runs, without DATABASE_URL.
  let target: URL;
  let proxied: string;
  beforeAll(async () => {
    target = new URL(url!);
    const u = new URL(url!);
    u.hostname = '127.0.0.1';
    u.port = String(PROXY);
    proxied = u.toString();
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`drop schema if exists ${schema} cascade`);
    // Held, not dropped, while frozen (TCP retransmits): a partition or a frozen host.
    const pipe = (to: net.Socket) => (b: Buffer) => (frozen ? held.push(() => to.write(b)) : to.write(b));
    proxy = net.createServer((c) => {
      const up = net.connect(Number(target.port || 5432), target.hostname);
      for (const s of [c, up]) sockets.add(s), s.on('close', () => sockets.delete(s)), s.on('error', () => {});
      c.on('data', pipe(up));
      up.on('data', pipe(c));
      c.on('close', () => up.destroy());
      up.on('close', () => c.destroy());
    });
    await new Promise<void>((r) => proxy.listen(PROXY, '127.0.0.1', r));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => proxy?.close(r));
    await admin?.query(`drop schema if exists ${schema} cascade`);
    await admin?.end();
  });
  const unfreeze = () => {
    frozen = false;
    for (const f of held.splice(0)) f();
  };

  it('frozen: POST 503 + Retry-After within the timeout, later POSTs too (none queue forever), /healthz 503; thawed: all retried reports counted once', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const srv = await startCollectorServer({ spaces: SPACES, store: { databaseUrl: proxied, schema }, storeTimeoutMs: 1500, perAddressLimit: false, rateLimit: false });
    const sent: ReturnType<typeof makeReports>[] = [];
    const post = (seed: number) => {
      const r = makeReports(4, seed);
      sent.push(r);
      return call(srv.url, 'POST', '/v1/reports', r);
    };
    try {
      expect((await post(101)).status).toBe(202);
      expect((await call(srv.url, 'GET', '/healthz')).body).toEqual({ ok: true, store: 'postgres' });
      frozen = true;
      const t0 = Date.now();
      const replies = await Promise.all([post(102), post(103), call(srv.url, 'GET', '/healthz')]);
      expect(Date.now() - t0).toBeLessThan(8000);
      expect(replies.map((r) => r.status)).toEqual([503, 503, 503]);
      for (const r of replies) expect(r.headers['retry-after']).toMatch(/^\d+$/);
      expect(replies[2].body.ok).toBe(false);
      const t1 = Date.now();
      const again = await post(104); // not queued behind the stuck transaction forever
      expect([again.status, Date.now() - t1 < 6000]).toEqual([503, true]);
      unfreeze();
      // The client retries what got 503: accepted now, or `duplicate` if its stuck transaction
      // committed after all; each report counts once.
      let ok = 0;
      for (const r of sent) {
        const reply = await call(srv.url, 'POST', '/v1/reports', r);
        expect(reply.status).toBe(202);
        ok += reply.body.accepted + reply.body.rejected.filter((x: { error: string }) => x.error === 'duplicate').length;
      }
      expect(ok).toBe(16);
      expect((await call(srv.url, 'GET', '/v1/estimates?space=lifecycle')).body.n).toBe(16);
      expect((await call(srv.url, 'GET', '/healthz')).status).toBe(200);
    } finally {
      unfreeze();
      const c0 = Date.now();
      await srv.close();
      expect(Date.now() - c0).toBeLessThan(10_000);
      err.mockRestore();
    }
  }, 60_000);

  it('a wrong password: a generic 503 to clients, no user name or driver message', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const u = new URL(url!);
    u.password = 'not-the-password';
    const srv = await startCollectorServer({ spaces: SPACES, store: { databaseUrl: u.toString(), schema } });
    try {
      for (const path of ['/healthz', '/v1/reports']) {
        const r = await call(srv.url, path === '/healthz' ? 'GET' : 'POST', path, path === '/healthz' ? undefined : makeReports(1, 120));
        expect(r.status).toBe(503);
        expect(r.body.error).toBe(GENERIC);
        expect(JSON.stringify(r.body)).not.toMatch(/password|authentication|cohortkit"/);
      }
      expect(err.mock.calls.map((c) => c.map(String).join(' ')).join('\n')).not.toContain('not-the-password');
    } finally {
      await srv.close();
      err.mockRestore();
    }
  });
});
