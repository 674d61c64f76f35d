// @vitest-environment node
// The per-address report limit (memory only, sliding minute) next to the per-connection one.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAddressLimiter, clientAddress } from '../../src/server/collector/guard';
import { createCollector, startCollectorServer, type CollectorOptions, type RunningCollector } from '../../src/server/index';
import { call, makeReports, SPACES } from './collector-helpers';

const running: RunningCollector[] = [];
const agents: Agent[] = [];
afterEach(async () => {
  agents.splice(0).forEach((a) => a.destroy());
  await Promise.all(running.splice(0).map((r) => r.close()));
});
async function start(over: Partial<CollectorOptions> = {}) {
  const clock = { t: Date.now() };
  const lines: string[] = [];
  const srv = await startCollectorServer({ spaces: SPACES, rateLimit: false, now: () => clock.t, log: (l) => lines.push(l), ...over });
  running.push(srv);
  return Object.assign(srv, { clock, lines });
}
const from = (xff: string) => ({ 'x-forwarded-for': xff });

describe('perAddressLimit', () => {
  it('429 with Retry-After past the limit from one address (X-Forwarded-For); another address is still served', async () => {
    const c = await start({ perAddressLimit: 10, trustProxy: true });
    const a = from('203.0.113.7');
    expect((await call(c.url, 'POST', '/v1/reports', makeReports(6, 1), a)).body.accepted).toBe(6);
    expect((await call(c.url, 'POST', '/v1/reports', makeReports(4, 2), a)).body.accepted).toBe(4);
    const limited = await call(c.url, 'POST', '/v1/reports', makeReports(1, 3), a);
    expect(limited.status).toBe(429);
    expect(limited.body.error).toMatch(/too many reports from this address/);
    const wait = Number(limited.headers['retry-after']);
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(120);
    // Another address, on the same connection pool, is served meanwhile.
    expect((await call(c.url, 'POST', '/v1/reports', makeReports(10, 4), from('203.0.113.8'))).body.accepted).toBe(10);
    // The proxy appends the real address last: a client-chosen first entry changes nothing.
    expect((await call(c.url, 'POST', '/v1/reports', makeReports(1, 5), from('10.9.9.9, 203.0.113.7'))).status).toBe(429);
    // After the announced wait, the address is served again (sliding minute).
    c.clock.t += wait * 1000;
    expect((await call(c.url, 'POST', '/v1/reports', makeReports(1, 6), a)).status).toBe(202);
    // Nothing of the address reaches the log lines.
    expect(c.lines.join('\n')).not.toMatch(/203\.0\.113|10\.9\.9\.9/);
  });

  it('counts the socket address without trustProxy (X-Forwarded-For ignored): 127.0.0.1 and 127.0.0.2 apart', async () => {
    const c = await start({ perAddressLimit: 3 });
    const one = new Agent({ localAddress: '127.0.0.1' });
    const two = new Agent({ localAddress: '127.0.0.2' });
    agents.push(one, two);
    for (let i = 0; i < 3; i++) expect((await call(c.url, 'POST', '/v1/reports', makeReports(1, 10 + i), from(`198.51.100.${i}`), one)).status).toBe(202);
    expect((await call(c.url, 'POST', '/v1/reports', makeReports(1, 20), from('198.51.100.77'), one)).status).toBe(429);
    expect((await call(c.url, 'POST', '/v1/reports', makeReports(3, 21), {}, two)).body.accepted).toBe(3);
    // GETs and /healthz are not reports: never limited by it.
    expect((await call(c.url, 'GET', '/healthz', undefined, {}, one)).status).toBe(200);
    expect((await call(c.url, 'GET', '/v1/spaces', undefined, {}, one)).status).toBe(200);
  });

  it('an IPv6 /64 counts as one address; IPv4-mapped IPv6 as its IPv4', async () => {
    const c = await start({ perAddressLimit: 2, trustProxy: true });
    expect((await call(c.url, 'POST', '/v1/reports', makeReports(1, 30), from('2001:db8:1:2::1'))).status).toBe(202);
    expect((await call(c.url, 'POST', '/v1/reports', makeReports(1, 31), from('2001:0db8:0001:0002:ffff:1:2:3'))).status).toBe(202);
    expect((await call(c.url, 'POST', '/v1/reports', makeReports(1, 32), from('[2001:db8:1:2:aaaa::9]'))).status).toBe(429);
    expect((await call(c.url, 'POST', '/v1/reports', makeReports(1, 33), from('2001:db8:1:3::1'))).status).toBe(202);
    expect((await call(c.url, 'POST', '/v1/reports', makeReports(2, 34), from('::ffff:192.0.2.1'))).status).toBe(202);
    expect((await call(c.url, 'POST', '/v1/reports', makeReports(1, 35), from('192.0.2.1'))).status).toBe(429);
  });

  it('the per-connection rateLimit stays, and applies with the per-address one', async () => {
    const c = await start({ perAddressLimit: 1000, rateLimit: { requests: 2, perMs: 1000 } });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(agent);
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await call(c.url, 'POST', '/v1/reports', makeReports(1, 40 + i), {}, agent)).status);
    expect(codes).toEqual([202, 202, 429]);
  });

  it.each([
    [{ perAddressLimit: 0 }, 'perAddressLimit'],
    [{ perAddressLimit: 1.5 }, 'perAddressLimit'],
    [{ perAddressLimit: Infinity }, 'perAddressLimit'],
    [{ perAddressLimit: '600' }, 'perAddressLimit'],
    [{ trustProxy: 'yes' }, 'trustProxy'],
    [{ maxGroups: 0 }, 'maxGroups'],
    [{ maxGroups: 1e12 }, 'maxGroups'],
    [{ epsilons: [] }, 'epsilons'],
    [{ epsilons: [1, NaN] }, 'epsilons'],
    [{ epsilons: [0] }, 'epsilons'],
    [{ epsilons: '1' }, 'epsilons'],
    [{ dedupeDays: -1 }, 'dedupeDays'],
    [{ dedupeDays: 1e9 }, 'dedupeDays'],
    [{ now: 5 }, 'now'],
    [{ rateLimit: { requests: Infinity, perMs: 1 } }, 'rateLimit'],
  ])('absurd option %j is invalid-options naming it', (opt, name) => {
    expect(() => createCollector({ spaces: SPACES, ...(opt as object) })).toThrow(new RegExp(`^${name}: `));
  });
});

describe('the address limiter itself', () => {
  it('a flood from many addresses keeps memory bounded (least recently seen forgotten)', () => {
    let t = 0;
    const lim = createAddressLimiter(5, () => t, 1000);
    for (let i = 0; i < 50_000; i++) lim.take(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 1);
    expect(lim.size).toBe(1000);
    // A busy address stays tracked while the flood goes on, since it is seen again.
    for (let i = 0; i < 5; i++) expect(lim.take('192.0.2.1', 1)).toBe(0);
    for (let i = 0; i < 500; i++) lim.take(`172.16.${i >> 8}.${i & 255}`, 1);
    expect(lim.take('192.0.2.1', 1)).toBeGreaterThan(0);
  });

  it('is a sliding minute: the previous minute weighs in as it slides out', () => {
    let t = 30_000;
    const lim = createAddressLimiter(10, () => t);
    expect(lim.take('a', 10)).toBe(0);
    const wait = lim.take('a', 1);
    expect(wait).toBeGreaterThanOrEqual(1);
    t = 61_000; // next minute, 1 s in: 10 × 59/60 ≈ 9.8 still count
    expect(lim.take('a', 1)).toBeGreaterThan(0);
    t = 30_000 + wait * 1000; // exactly when it said
    expect(lim.take('a', 1)).toBe(0);
    t = 200_000; // two minutes on: forgotten
    expect(lim.take('a', 10)).toBe(0);
    expect(lim.take('b', 11)).toBeGreaterThan(0); // more than the limit at once never fits
  });

  it('the client address: last X-Forwarded-For entry only with trustProxy', () => {
    const req = (xff: string | string[] | undefined, remote = '127.0.0.1') => ({ headers: { 'x-forwarded-for': xff }, socket: { remoteAddress: remote } }) as never;
    expect(clientAddress(req('1.1.1.1, 2.2.2.2'), true)).toBe('2.2.2.2');
    expect(clientAddress(req(['1.1.1.1', '3.3.3.3']), true)).toBe('3.3.3.3');
    expect(clientAddress(req('1.1.1.1'), false)).toBe('127.0.0.1');
    expect(clientAddress(req(undefined), true)).toBe('127.0.0.1');
    expect(clientAddress(req(''), true)).toBe('127.0.0.1');
    expect(clientAddress(req('x'.repeat(10_000)), true)).toHaveLength(64);
    expect(clientAddress(req('::1'), true)).toBe('0:0:0:0::/64');
    expect(clientAddress(req('FE80::1%eth0'), true)).toBe('fe80:0:0:0::/64');
  });
});

describe('addresses are never stored', () => {
  it('a PGlite data directory holds no client address after reports from it', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'cohortkit-addr-'));
    try {
      const c = await start({ trustProxy: true, store: { dataDir: join(dir, 'data') } });
      expect((await call(c.url, 'POST', '/v1/reports', makeReports(30, 50), from('203.0.113.250'))).body.accepted).toBe(30);
      await c.close();
      const files = (d: string): string[] => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? files(join(d, f)) : [join(d, f)]));
      const all = files(join(dir, 'data'));
      expect(all.length).toBeGreaterThan(10);
      for (const f of all) {
        const bytes = readFileSync(f);
        expect(bytes.includes('203.0.113.250'), f).toBe(false);
        expect(bytes.includes(Buffer.from('203.0.113.250', 'utf16le')), f).toBe(false);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('clocks that step back', () => {
  it('a per-connection bucket is not drained when the clock goes back a week', async () => {
    const c = await start({ rateLimit: { requests: 5, perMs: 1000 } });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(agent);
    expect((await call(c.url, 'GET', '/healthz', undefined, {}, agent)).status).toBe(200);
    c.clock.t -= 7 * 86_400_000;
    for (let i = 0; i < 4; i++) expect((await call(c.url, 'GET', '/healthz', undefined, {}, agent)).status).toBe(200);
  });
  it('the address limiter forgets a minute the clock went back past', () => {
    let t = 7 * 86_400_000;
    const lim = createAddressLimiter(3, () => t);
    expect(lim.take('a', 3)).toBe(0);
    t -= 7 * 86_400_000;
    expect(lim.take('a', 3)).toBe(0);
  });
});

describe('a clock returning garbage', () => {
  it('falls back to the system clock: the window still holds, log lines still print', async () => {
    const lines: string[] = [];
    const c = await startCollectorServer({ spaces: SPACES, rateLimit: false, now: () => NaN, log: (l) => lines.push(l) });
    running.push(c);
    const r = await call(c.url, 'POST', '/v1/reports', [...makeReports(1, 70), ...makeReports(1, 71, { epoch: 999_999_999 })]);
    expect(r.body).toEqual({ accepted: 1, rejected: [{ index: 1, error: 'epoch: in the future' }] });
    expect(lines.at(-1)).toMatch(/^\d{4}-\d\d-\d\dT.* batch: 2 received, 1 accepted, 1 rejected/);
  });
});
