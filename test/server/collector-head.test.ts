// @vitest-environment node
// HEAD on the collector's GET routes: the GET's status and headers, auth rules included, no body.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollectorServer, type RunningCollector } from '../../src/server/index';
import { call, makeReports, SPACES } from './collector-helpers';

const TOKEN = 'head-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}` };

/** A raw request: the bytes of the body as received (HEAD must have none). */
function raw(base: string, method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { method, headers }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes }));
    });
    req.on('error', reject);
    req.end();
  });
}

let srv: RunningCollector;
beforeAll(async () => {
  srv = await startCollectorServer({ spaces: SPACES, readToken: TOKEN, allowOrigins: ['https://dash.example'] });
  expect((await call(srv.url, 'POST', '/v1/reports', makeReports(5, 77))).status).toBe(202);
});
afterAll(() => srv.close());

describe('HEAD', () => {
  it.each([
    ['/healthz', {}],
    ['/v1/spaces', auth],
    ['/v1/estimates?space=lifecycle', auth],
    ['/v1/spaces', {}],
    ['/v1/estimates?space=lifecycle', { authorization: 'Bearer wrong-token-0123456789' }],
    ['/v1/estimates', auth],
    ['/v1/estimates?space=nope', auth],
  ])('HEAD %s answers as GET, without a body', async (path, headers: Record<string, string>) => {
    const h = { ...headers, origin: 'https://dash.example' };
    const get = await raw(srv.url, 'GET', path, h);
    const head = await raw(srv.url, 'HEAD', path, h);
    expect(head.status).toBe(get.status);
    expect(head.bytes).toBe(0);
    expect(get.bytes).toBeGreaterThan(0);
    for (const k of ['content-type', 'content-length', 'cache-control', 'www-authenticate', 'access-control-allow-origin', 'vary']) expect(head.headers[k], k).toEqual(get.headers[k]);
  });
  it('HEAD from a disallowed origin is 403 like GET', async () => {
    expect((await raw(srv.url, 'HEAD', '/healthz', { origin: 'https://evil.example' })).status).toBe(403);
  });
  it('the GET routes list HEAD in Allow and in the preflight; POST /v1/reports does not take HEAD', async () => {
    const wrong = await raw(srv.url, 'PUT', '/healthz');
    expect([wrong.status, wrong.headers.allow]).toEqual([405, 'GET, HEAD, OPTIONS']);
    const pre = await raw(srv.url, 'OPTIONS', '/v1/estimates', { origin: 'https://dash.example', 'access-control-request-method': 'GET' });
    expect([pre.status, pre.headers['access-control-allow-methods']]).toEqual([204, 'GET, HEAD, OPTIONS']);
    const post = await raw(srv.url, 'HEAD', '/v1/reports');
    expect([post.status, post.headers.allow]).toEqual([405, 'POST, OPTIONS']);
  });
});
