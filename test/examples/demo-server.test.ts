// @vitest-environment node
// The demo server (examples/demo/serve.mjs, what `npm run demo` runs): its QA routes take requests
// from the demo's own pages only (no cross-site request forgery, no DNS rebinding), and a malformed
// path is the client's error (400), not the server's (500).
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { startDemo } from '../../examples/demo/serve.mjs';

let demo: { url: string; port: number; readToken: string; close(): Promise<void> };
beforeAll(async () => {
  demo = await startDemo({ port: 0, memory: true, quiet: true });
});
afterAll(async () => {
  await demo?.close();
});

/** A raw request (any Host, any path), so the test controls every header a browser would send. */
function send(method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  return new Promise<{ status: number; type: string; json: any }>((ok, fail) => {
    const req = request({ host: '127.0.0.1', port: demo.port, method, path, headers: { host: `127.0.0.1:${demo.port}`, ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        ok({ status: res.statusCode!, type: String(res.headers['content-type']), json });
      });
    });
    req.on('error', fail);
    req.end(body);
  });
}
const JSON_TYPE = { 'content-type': 'application/json' };
const offset = async () => (await send('GET', '/qa/clock')).json.offset;
const interestN = async (epoch: number) =>
  (await send('GET', `/v1/estimates?space=interest&epoch=${epoch}`, { authorization: `Bearer ${demo.readToken}` })).json.n;
const TEN_YEARS = JSON.stringify({ offset: 3650 * 86_400_000 });

describe('demo server QA routes: the demo’s own origin only (A3)', () => {
  it('a page on another origin cannot move the collector clock (no-cors text/plain, or JSON with a foreign Origin)', async () => {
    expect(await offset()).toBe(0);
    // What fetch(…, { mode: 'no-cors', method: 'POST', body }) from https://evil.example sends.
    const simple = await send('POST', '/qa/clock', { origin: 'https://evil.example', 'content-type': 'text/plain;charset=UTF-8' }, TEN_YEARS);
    expect(simple.status).toBe(403);
    expect(simple.json.error).toMatch(/origin/i);
    const foreign = await send('POST', '/qa/clock', { origin: 'https://evil.example', ...JSON_TYPE }, TEN_YEARS);
    expect(foreign.status).toBe(403);
    expect(foreign.json.error).toMatch(/https:\/\/evil\.example/);
    // A sandboxed frame or data: page says Origin: null.
    expect((await send('POST', '/qa/clock', { origin: 'null', ...JSON_TYPE }, TEN_YEARS)).status).toBe(403);
    // Same host, other port: another origin.
    expect((await send('POST', '/qa/clock', { origin: `http://127.0.0.1:${demo.port + 1}`, ...JSON_TYPE }, TEN_YEARS)).status).toBe(403);
    expect(await offset()).toBe(0);
  });

  it('a POST that is not application/json is refused, Origin or not (it would skip the CORS preflight)', async () => {
    for (const type of ['text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', undefined]) {
      const r = await send('POST', '/qa/clock', type ? { 'content-type': type } : {}, TEN_YEARS);
      expect(r.status, String(type)).toBe(403);
      expect(r.json.error).toMatch(/content-type/i);
    }
    expect(await offset()).toBe(0);
  });

  it('no forged simulated reports: /qa/simulate from another origin is refused and nothing reaches the store', async () => {
    const epoch = Math.floor(Date.now() / 86_400_000) - 3;
    const body = JSON.stringify({ space: 'interest', n: 500, epoch, truth: [0, 0, 1] });
    const forged = await send('POST', '/qa/simulate', { origin: 'https://evil.example', 'content-type': 'text/plain;charset=UTF-8' }, body);
    expect(forged.status).toBe(403);
    expect((await send('POST', '/qa/simulate', { origin: 'https://evil.example', ...JSON_TYPE }, body)).status).toBe(403);
    expect((await send('POST', '/qa/simulate', { 'content-type': 'text/plain' }, body)).status).toBe(403);
    expect(await interestN(epoch)).toBe(0);
    // The dashboard's own request (same origin, JSON) works.
    const own = await send('POST', '/qa/simulate', { origin: demo.url, 'content-type': 'application/json; charset=utf-8' }, body);
    expect(own.status).toBe(200);
    expect(own.json.accepted).toBe(500);
    expect(await interestN(epoch)).toBe(500);
  });

  it('DNS rebinding: a Host other than 127.0.0.1:<port> / localhost:<port> is refused on every route', async () => {
    const rebound = { host: `evil.example:${demo.port}` };
    const clock = await send('POST', '/qa/clock', { ...rebound, origin: `http://evil.example:${demo.port}`, ...JSON_TYPE }, TEN_YEARS);
    expect(clock.status).toBe(403);
    expect(clock.json.error).toMatch(/host/i);
    for (const path of ['/qa/clock', '/qa/truth?space=interest', '/', '/dashboard/', '/demo-config.json', '/v1/spaces', '/healthz'])
      expect((await send('GET', path, rebound)).status, path).toBe(403);
    expect((await send('GET', '/qa/clock', { host: '127.0.0.1' })).status).toBe(403); // no port: not the demo's origin
    expect(await offset()).toBe(0);
  });

  it('the demo page and the dashboard keep working: same-origin JSON POSTs, 127.0.0.1 or localhost', async () => {
    const page = await send('POST', '/qa/clock', { origin: demo.url, ...JSON_TYPE }, JSON.stringify({ offset: 86_400_000 }));
    expect(page.status).toBe(200);
    expect(page.json.offset).toBe(86_400_000);
    const local = `localhost:${demo.port}`;
    const viaLocalhost = await send('POST', '/qa/clock', { host: local, origin: `http://${local}`, ...JSON_TYPE }, JSON.stringify({ offset: 0 }));
    expect(viaLocalhost.status).toBe(200);
    expect(await offset()).toBe(0);
    // curl / Node (no Origin) with a JSON body.
    expect((await send('POST', '/qa/clock', JSON_TYPE, JSON.stringify({ offset: 0 }))).status).toBe(200);
    // GETs and the collector's own routes, as the page and the dashboard use them.
    for (const [path, headers] of [
      ['/', {}],
      ['/dashboard/', { host: local }],
      ['/demo-config.json', {}],
      ['/healthz', {}],
      ['/v1/spaces', { authorization: `Bearer ${demo.readToken}` }],
      ['/qa/truth?space=interest', {}],
    ] as const)
      expect((await send('GET', path, headers)).status, path).toBe(200);
    const day = Math.floor(Date.now() / 86_400_000);
    const report = await send('POST', '/v1/reports', { origin: demo.url, 'content-type': 'text/plain;charset=UTF-8' }, JSON.stringify({ v: 1, space: 'interest', spaceVersion: 1, epoch: day, k: 3, mechanism: 'grr', epsilon: 1, id: randomBytes(16).toString('base64url'), value: 0 }));
    expect(report.status).toBe(202);
    expect(report.json).toMatchObject({ accepted: 1, rejected: [] });
  });
});

describe('demo server: malformed percent-encoding is a 400 (A10)', () => {
  it('GET /%, /%E0%A4%A and /dashboard/%E0%A4%A answer 400 with a JSON error', async () => {
    for (const path of ['/%', '/%E0%A4%A', '/dashboard/%E0%A4%A', '/dist/%ZZ']) {
      const r = await send('GET', path);
      expect(r.status, path).toBe(400);
      expect(r.type).toContain('application/json');
      expect(r.json.error).toMatch(/percent-encoding/);
    }
    expect((await send('GET', '/%69ndex.html')).status).toBe(200); // well-formed encoding still decodes
  });
});
