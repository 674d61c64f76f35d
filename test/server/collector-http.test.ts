// @vitest-environment node
import fc from 'fast-check';
import { Agent, createServer } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCohortkitError } from '../../src/errors';
import * as server from '../../src/server';
import { createCollector, createEstimator, createMemoryStore, startCollectorServer, type CollectorStore, type RunningCollector } from '../../src/server/index';
import { readBody } from '../../src/server/collector/http';
import { call, EPOCH, makeReports, SPACES } from './collector-helpers';

const ORIGIN = 'https://shop.example';
let srv: RunningCollector;
let open: RunningCollector;
const lines: string[] = [];
beforeAll(async () => {
  srv = await startCollectorServer({ spaces: SPACES, allowOrigins: [ORIGIN], minCount: 5, log: (l) => lines.push(l), rateLimit: false });
  open = await startCollectorServer({ spaces: SPACES, rateLimit: false });
});
afterAll(async () => {
  await srv.close();
  await open.close();
});

describe('createCollector options', () => {
  it('is exported from cohortkit/server and returns a handler synchronously', () => {
    const h = server.createCollector({ spaces: SPACES });
    expect(typeof h).toBe('function');
    expect(typeof h.close).toBe('function');
  });
  it.each([
    [{ spaces: 'x' }, 'spaces'],
    [{ spaces: SPACES, allowOrigins: 'https://a' }, 'allowOrigins'],
    [{ spaces: SPACES, minCount: -1 }, 'minCount'],
    [{ spaces: SPACES, store: { dir: 'x' } }, 'store'],
    [{ spaces: SPACES, rateLimit: { requests: 0, perMs: 1 } }, 'rateLimit'],
  ])('rejects bad options %#', (opts, path) => {
    try {
      createCollector(opts as never);
      expect.unreachable();
    } catch (e) {
      expect(isCohortkitError(e) && e.code).toBe('invalid-options');
      expect((e as Error).message.startsWith(path)).toBe(true);
    }
  });
});

describe('POST /v1/reports', () => {
  it('accepts one report or an array, as text/plain or application/json', async () => {
    const [a, b, c] = makeReports(3, 11);
    const one = await call(srv.url, 'POST', '/v1/reports', a);
    expect(one.status).toBe(202);
    expect(one.body).toEqual({ accepted: 1, rejected: [] });
    const arr = await call(srv.url, 'POST', '/v1/reports?site=x', [b, c], { 'content-type': 'application/json' });
    expect(arr.body).toEqual({ accepted: 2, rejected: [] });
    expect(lines.at(-1)).toMatch(/batch: 2 received, 2 accepted, 0 rejected/);
    expect(lines.join('\n')).not.toMatch(/127\.0\.0\.1|node|user-agent/i);
  });

  it('rejects duplicates (across and within batches) and non-reports one by one', async () => {
    const [a, b] = makeReports(2, 12);
    await call(srv.url, 'POST', '/v1/reports', a);
    const r = await call(srv.url, 'POST', '/v1/reports', [a, 42, b, { ...b }, { ...b, id: 'x', value: 1 }, { ...b, extra: 1 }]);
    expect(r.status).toBe(202);
    expect(r.body.accepted).toBe(1);
    expect(r.body.rejected.map((x: { index: number }) => x.index)).toEqual([0, 1, 3, 4, 5]);
    expect(r.body.rejected[0].error).toBe('duplicate');
    expect(r.body.rejected[1].error).toMatch(/^report/);
    expect(r.body.rejected[2].error).toBe('duplicate');
    expect(r.body.rejected[3].error).toMatch(/^id/);
    expect(r.body.rejected[4].error).toMatch(/^extra: unexpected field/);
  });

  it('answers [] with 202 and nothing accepted', async () => {
    expect(await call(srv.url, 'POST', '/v1/reports', [])).toMatchObject({ status: 202, body: { accepted: 0, rejected: [] } });
  });

  it('400 for malformed JSON and for a body that is not a report or an array', async () => {
    const bad = await call(srv.url, 'POST', '/v1/reports', '{"v":1,');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^malformed JSON/);
    expect((await call(srv.url, 'POST', '/v1/reports', '')).status).toBe(400);
    expect((await call(srv.url, 'POST', '/v1/reports', Buffer.from([0x22, 0xff, 0x22]))).status).toBe(400);
    for (const body of ['42', 'null', '"report"', 'true']) {
      const r = await call(srv.url, 'POST', '/v1/reports', body);
      expect(r.status).toBe(400);
      expect(r.body.error).toMatch(/^body/);
    }
  });

  it('413 above 256 KiB (declared or streamed), accepts exactly 256 KiB', async () => {
    const big = '[' + ' '.repeat(256 * 1024 - 2) + ']';
    expect((await call(srv.url, 'POST', '/v1/reports', big)).status).toBe(202);
    expect((await call(srv.url, 'POST', '/v1/reports', big + ' ')).status).toBe(413);
    const chunked = await call(srv.url, 'POST', '/v1/reports', big + '  ', { 'transfer-encoding': 'chunked' });
    expect(chunked.status).toBe(413);
    expect((await call(srv.url, 'GET', '/healthz')).status).toBe(200);
  });

  it('a client leaving mid-body: that read rejects, a whole one resolves (its close is no error); nothing is counted', async () => {
    const seen: Array<string | number> = [];
    const probe = createServer((req, res) => {
      readBody(req).then(
        (b) => (seen.push(b === 'too-large' ? b : b.length), res.end()),
        (e: Error) => seen.push(e.message),
      );
    });
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const probeUrl = `http://127.0.0.1:${(probe.address() as { port: number }).port}`;
    /** A raw POST to `url`: `leave` cuts the connection 50 ms after sending (mid-body when `body` is short of `head`'s length). */
    const send = (url: string, path: string, head: string, body: string, leave: boolean) =>
      new Promise<void>((done) => {
        const u = new URL(url);
        const s = connect(Number(u.port), u.hostname, () => {
          s.write(`POST ${path} HTTP/1.1\r\nhost: x\r\n${head}\r\n\r\n${body}`);
          if (leave) setTimeout(() => s.destroy(), 50);
          else s.once('data', () => s.end());
        });
        s.once('close', () => done());
      });
    await send(probeUrl, '/', 'content-length: 5', 'hello', false);
    await send(probeUrl, '/', 'content-length: 1000', '[{"v":1', true);
    await new Promise((r) => setTimeout(r, 50));
    await new Promise<void>((r) => probe.close(() => r()));
    // Node reports the cut as the request's 'error' (aborted); 'close' alone would say request closed.
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBe(5);
    expect(['aborted', 'request closed']).toContain(seen[1]);
    // The collector: the half-sent request is dropped, nothing counted; the next is served.
    const before = ((await call(open.url, 'GET', '/v1/estimates?space=lifecycle')).body as { n: number }).n;
    await send(open.url, '/v1/reports', 'content-type: text/plain\r\ncontent-length: 4000', JSON.stringify(makeReports(3, 14)).slice(0, 200), true);
    expect(((await call(open.url, 'GET', '/v1/estimates?space=lifecycle')).body as { n: number }).n).toBe(before);
    expect((await call(open.url, 'POST', '/v1/reports', makeReports(1, 15))).body).toEqual({ accepted: 1, rejected: [] });
  });

  it('415 for other or missing content types', async () => {
    const [a] = makeReports(1, 13);
    expect((await call(srv.url, 'POST', '/v1/reports', a, { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(415);
    const none = await call(srv.url, 'POST', '/v1/reports', a, { 'content-type': '' });
    expect(none.status).toBe(415);
    expect((await call(srv.url, 'POST', '/v1/reports', a, { 'content-type': 'Application/JSON; charset=utf-8' })).status).toBe(202);
  });

  it('keeps running whatever it is sent (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.json(), fc.uint8Array().map((u) => Buffer.from(u))), async (body) => {
        const r = await call(open.url, 'POST', '/v1/reports', body);
        expect([202, 400]).toContain(r.status);
        if (r.status === 202) expect(r.body.accepted).toBe(0);
      }),
      { numRuns: 60 },
    );
    expect((await call(open.url, 'GET', '/healthz')).body).toEqual({ ok: true, store: 'memory' });
  });
});

describe('CORS, methods, paths, headers', () => {
  it('403 for an origin not allowed; echoes an allowed one; accepts no Origin', async () => {
    const [a, b] = makeReports(2, 14);
    const no = await call(srv.url, 'POST', '/v1/reports', a, { origin: 'https://evil.example' });
    expect(no.status).toBe(403);
    const yes = await call(srv.url, 'POST', '/v1/reports', a, { origin: ORIGIN });
    expect(yes.status).toBe(202);
    expect(yes.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(yes.headers.vary).toBe('origin');
    expect(yes.headers['access-control-allow-credentials']).toBeUndefined();
    expect((await call(srv.url, 'POST', '/v1/reports', b)).status).toBe(202);
    const any = await call(open.url, 'GET', '/v1/spaces', undefined, { origin: 'https://x.example' });
    expect(any.headers['access-control-allow-origin']).toBe('*');
  });

  it('answers preflight with 204 and CORS headers', async () => {
    const r = await call(srv.url, 'OPTIONS', '/v1/reports', undefined, { origin: ORIGIN, 'access-control-request-method': 'POST' });
    expect(r.status).toBe(204);
    expect(r.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(r.headers['access-control-allow-methods']).toMatch(/POST/);
    expect(r.headers['access-control-allow-headers']).toMatch(/content-type/);
    expect((await call(srv.url, 'OPTIONS', '/v1/reports', undefined, { origin: 'https://evil.example' })).status).toBe(403);
  });

  it('404 unknown path, 405 wrong method; never a cookie, always no-store', async () => {
    const r404 = await call(srv.url, 'GET', '/v1/nothing');
    expect(r404.status).toBe(404);
    const r405 = await call(srv.url, 'GET', '/v1/reports');
    expect(r405.status).toBe(405);
    expect(r405.headers.allow).toMatch(/POST/);
    expect((await call(srv.url, 'POST', '/v1/estimates?space=lifecycle', '[]')).status).toBe(405);
    for (const r of [r404, r405, await call(srv.url, 'GET', '/healthz', undefined, { cookie: 'a=b' })]) {
      expect(r.headers['set-cookie']).toBeUndefined();
      expect(r.headers['cache-control']).toBe('no-store');
    }
  });

  it('429 past the per-connection rate limit; another connection is unaffected', async () => {
    let t = 0;
    const limited = await startCollectorServer({ spaces: SPACES, rateLimit: { requests: 3, perMs: 1000 }, now: () => t });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const codes = [];
      for (let i = 0; i < 5; i++) codes.push((await call(limited.url, 'GET', '/healthz', undefined, {}, agent)).status);
      expect(codes).toEqual([200, 200, 200, 429, 429]);
      expect((await call(limited.url, 'GET', '/healthz')).status).toBe(200);
      t += 1000;
      expect((await call(limited.url, 'GET', '/healthz', undefined, {}, agent)).status).toBe(200);
    } finally {
      agent.destroy();
      await limited.close();
    }
  });
});

describe('GET routes', () => {
  it('estimates equal the estimator fed the same reports', async () => {
    // publish: 'all' — the raw numbers; withheld small cohorts are covered in collector-publish.test.ts
    const c = await startCollectorServer({ spaces: SPACES, minCount: 5, rateLimit: false, publish: 'all' });
    try {
      const reports = [...makeReports(90, 21), ...makeReports(10, 22, { epoch: EPOCH - 1 })];
      const est = createEstimator({ spaces: SPACES, minCount: 5 });
      for (const r of reports) est.add(r);
      expect((await call(c.url, 'POST', '/v1/reports', reports)).body.accepted).toBe(100);
      const latest = await call(c.url, 'GET', '/v1/estimates?space=lifecycle');
      expect(latest.status).toBe(200);
      const { version, rejected, ...estimate } = latest.body;
      expect([version, rejected]).toEqual([1, {}]);
      expect(estimate).toEqual(est.estimate('lifecycle'));
      expect(latest.body.epoch).toBe(EPOCH);
      expect((await call(c.url, 'GET', `/v1/estimates?space=lifecycle&epoch=${EPOCH - 1}`)).body).toEqual({ ...est.estimate('lifecycle', EPOCH - 1), version: 1, rejected: {} });
      expect((await call(c.url, 'GET', '/v1/estimates?space=plans')).body).toEqual({ ...est.estimate('plans'), version: 2, rejected: {} });
      const spaces = await call(c.url, 'GET', '/v1/spaces');
      expect(spaces.body.spaces[0]).toEqual({
        id: 'lifecycle', version: 1, description: 'lifecycle stage', k: 4, cohorts: ['new', 'active', 'loyal', 'other'], epochs: [EPOCH - 1, EPOCH],
      });
      expect(spaces.body.spaces[1]).toMatchObject({ id: 'plans', version: 2, epochs: [] });
    } finally {
      await c.close();
    }
  });

  it('400 for a missing space or bad epoch, 404 for an unknown space', async () => {
    expect((await call(srv.url, 'GET', '/v1/estimates')).status).toBe(400);
    expect((await call(srv.url, 'GET', '/v1/estimates?space=lifecycle&epoch=-1')).status).toBe(400);
    expect((await call(srv.url, 'GET', '/v1/estimates?space=lifecycle&epoch=1.5')).status).toBe(400);
    const r = await call(srv.url, 'GET', '/v1/estimates?space=nope');
    expect(r.status).toBe(404);
    expect(r.body.error).toMatch(/unknown space/);
  });

  it('feeds a given estimator and answers estimates from it when there is no store', async () => {
    const estimator = createEstimator({ spaces: SPACES });
    estimator.merge({ v: 1, rows: [{ space: 'lifecycle', spaceVersion: 1, epoch: EPOCH - 5, mechanism: 'grr', k: 4, epsilon: 1, g: 0, n: 3, support: [1, 1, 1, 0] }], ids: [] });
    const c = await startCollectorServer({ spaces: SPACES, estimator });
    try {
      await call(c.url, 'POST', '/v1/reports', makeReports(4, 23, { epoch: EPOCH - 5 }));
      expect(estimator.estimate('lifecycle').n).toBe(7);
      expect((await call(c.url, 'GET', '/v1/estimates?space=lifecycle')).body.n).toBe(7);
    } finally {
      await c.close();
    }
  });
});

describe('shutdown', () => {
  it('close() waits for in-flight batches to be persisted, then closes the store; later requests get 503', async () => {
    const events: string[] = [];
    let release!: () => void;
    let entered!: () => void;
    const inStore = new Promise<void>((r) => (entered = r));
    const mem = createMemoryStore();
    const store: CollectorStore = {
      ...mem,
      async addBatch(reports) {
        entered();
        await new Promise<void>((r) => (release = r));
        const out = await mem.addBatch(reports);
        events.push('persisted');
        return out;
      },
      async close() {
        events.push('closed');
      },
    };
    const c = await startCollectorServer({ spaces: SPACES, store });
    const pending = call(c.url, 'POST', '/v1/reports', makeReports(50, 24));
    await inStore;
    const closing = c.collector.close();
    const late = await call(c.url, 'GET', '/healthz');
    expect(late.status).toBe(503);
    expect(events).toEqual([]);
    release();
    expect((await pending).body.accepted).toBe(50);
    await closing;
    expect(events).toEqual(['persisted', 'closed']);
    expect((await mem.rows('lifecycle'))[0].n).toBeGreaterThan(0);
    await c.close();
  });
});
