// @vitest-environment node
// Requests the collector answered wrongly before: a request target that is not a URL path (500
// "internal error": new URL() threw) and a batch larger than perAddressLimit (429 with Retry-After
// forever, though waiting could never make it fit).
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startCollectorServer, type CollectorOptions, type RunningCollector } from '../../src/server/index';
import { call, makeReports, SPACES } from './collector-helpers';

const running: RunningCollector[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});
async function start(over: Partial<CollectorOptions> = {}) {
  const clock = { t: Date.now() };
  const srv = await startCollectorServer({ spaces: SPACES, rateLimit: false, now: () => clock.t, ...over });
  running.push(srv);
  return Object.assign(srv, { clock });
}

/** Sends `head` as is over a socket and resolves with the response's status line and body. */
function raw(url: string, head: string): Promise<{ status: string; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    let out = '';
    const s = connect(Number(u.port), u.hostname, () => s.write(head));
    s.setEncoding('utf8');
    s.on('data', (d) => {
      out += d;
      const i = out.indexOf('\r\n\r\n');
      const len = /content-length: (\d+)/i.exec(out);
      if (i >= 0 && len && out.length >= i + 4 + Number(len[1])) s.destroy(), resolve({ status: out.slice(0, out.indexOf('\r\n')), body: out.slice(i + 4) });
    });
    s.on('error', reject);
    s.setTimeout(5000, () => (s.destroy(), reject(new Error(`no answer: ${out}`))));
  });
}

describe('a request target that is not a path', () => {
  it.each([['POST', 'http://[/v1/reports'], ['GET', 'http://[::1/v1/estimates?space=lifecycle'], ['POST', 'http://x:99999/v1/reports']])('%s %s → 400 (a malformed request line), not 500', async (method, target) => {
    const c = await start();
    const r = await raw(c.url, `${method} ${target} HTTP/1.1\r\nhost: x\r\ncontent-type: text/plain\r\ncontent-length: 2\r\nconnection: close\r\n\r\n[]`);
    expect(r.status).toBe('HTTP/1.1 400 Bad Request');
    expect(JSON.parse(r.body)).toEqual({ error: 'request target: malformed' });
  });

  it('an unknown path is still 404, and an absolute-form target of a known path is served', async () => {
    const c = await start();
    expect((await raw(c.url, 'POST /v2/reports HTTP/1.1\r\nhost: x\r\ncontent-length: 0\r\nconnection: close\r\n\r\n')).status).toBe('HTTP/1.1 404 Not Found');
    const ok = await raw(c.url, 'POST http://collector.example/v1/reports HTTP/1.1\r\nhost: x\r\ncontent-type: text/plain\r\ncontent-length: 2\r\nconnection: close\r\n\r\n[]');
    expect([ok.status, JSON.parse(ok.body)]).toEqual(['HTTP/1.1 202 Accepted', { accepted: 0, rejected: [] }]);
  });
});

describe('a batch larger than perAddressLimit', () => {
  it('601 reports with the default limit (600): 413 without Retry-After, nothing stored, at once and after any wait; 600 are accepted', async () => {
    const c = await start();
    const big = makeReports(601, 3);
    for (let i = 0; i < 3; i++) {
      const r = await call(c.url, 'POST', '/v1/reports', big);
      expect(r.status).toBe(413);
      expect(r.headers['retry-after']).toBeUndefined();
      expect(r.body.error).toBe('batch: 601 reports, more than perAddressLimit (600) a minute; split it');
      c.clock.t += 121_000;
    }
    expect((await call(c.url, 'GET', '/v1/estimates?space=lifecycle')).body.n).toBe(0);
    // Split, the same reports (same ids) are all counted: nothing was lost.
    expect((await call(c.url, 'POST', '/v1/reports', big.slice(0, 600))).body.accepted).toBe(600);
    c.clock.t += 121_000;
    expect((await call(c.url, 'POST', '/v1/reports', big.slice(600))).body.accepted).toBe(1);
  });

  it('a batch that fits the limit but not what is left of the minute is still 429 with Retry-After', async () => {
    const c = await start({ perAddressLimit: 10 });
    expect((await call(c.url, 'POST', '/v1/reports', makeReports(6, 4))).body.accepted).toBe(6);
    const r = await call(c.url, 'POST', '/v1/reports', makeReports(10, 5));
    expect(r.status).toBe(429);
    expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await call(c.url, 'POST', '/v1/reports', makeReports(11, 6))).status).toBe(413);
  });

  it('perAddressLimit: false takes any batch that fits the body limit', async () => {
    const c = await start({ perAddressLimit: false });
    expect((await call(c.url, 'POST', '/v1/reports', makeReports(900, 7))).body.accepted).toBe(900);
  });
});
