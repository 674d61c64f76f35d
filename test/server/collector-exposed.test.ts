// @vitest-environment node
// API.md v1.1 "Collector: safe to expose": the epoch window follows the collector's clock, ε and
// group bounds, the read token, several versions side by side, rejection counts — attacked.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../../src/index';
import { createMechanism, randomId } from '../../src/privacy/index';
import { createCollector, createMemoryStore, startCollectorServer, type CollectorOptions, type RunningCollector } from '../../src/server/index';
import type { CohortSpace, LDPReport } from '../../src/types';
import { call, EPOCH, makeReports, SPACES } from './collector-helpers';

const DAY = 86_400_000;
const TOKEN = 'read-token-0123456789abcdef';
const running: RunningCollector[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});
/** A collector whose clock stands at noon of day `today` (movable through `clock.t`). */
async function start(over: Partial<CollectorOptions> = {}, today = EPOCH) {
  const clock = { t: today * DAY + DAY / 2 };
  const srv = await startCollectorServer({ spaces: SPACES, rateLimit: false, now: () => clock.t, ...over });
  running.push(srv);
  return Object.assign(srv, { clock });
}
const post = (url: string, body: unknown, headers: Record<string, string> = {}) => call(url, 'POST', '/v1/reports', body, headers);
const errors = (r: { body: { rejected: Array<{ error: string }> } }) => r.body.rejected.map((x) => x.error);

describe('the epoch window follows the collector clock, never the reports', () => {
  it('refuses epochs after tomorrow and before today − 8; accepts the rest', async () => {
    const c = await start();
    const T = EPOCH;
    const epochs = [T + 2, T + 1, T, T - 8, T - 9, 999_999_999];
    const r = await post(c.url, epochs.map((e, i) => makeReports(1, 100 + i, { epoch: e })[0]));
    expect(r.body.accepted).toBe(3);
    expect(r.body.rejected).toEqual([
      { index: 0, error: 'epoch: in the future' },
      { index: 4, error: 'epoch: older than the dedupe window' },
      { index: 5, error: 'epoch: in the future' },
    ]);
    // The clock moves: what was stale stays stale, what was in the future is now welcome.
    c.clock.t += 2 * DAY;
    const later = await post(c.url, [makeReports(1, 110, { epoch: T + 2 })[0], makeReports(1, 111, { epoch: T - 7 })[0]]);
    expect(later.body).toEqual({ accepted: 1, rejected: [{ index: 1, error: 'epoch: older than the dedupe window' }] });
  });

  it.each([
    ['negative', -1],
    ['non-integer', 20000.5],
    ['huge', Number.MAX_SAFE_INTEGER + 2],
    ['1e308', 1e308],
    ['a string', String(EPOCH)],
    ['null', null],
  ])('a %s epoch is refused by the validator and changes nothing', async (_, epoch) => {
    const c = await start();
    const [bad] = makeReports(1, 120, { epoch: epoch as never });
    expect(errors(await post(c.url, bad))[0]).toMatch(/^epoch: /);
    expect((await post(c.url, makeReports(2, 121))).body.accepted).toBe(2);
  });

  it('a far-future report then honest reports of today: all of today counted (the old poison)', async () => {
    const c = await start({ dedupeDays: 8 });
    for (const e of [999_999_999, Number.MAX_SAFE_INTEGER, EPOCH + 2]) {
      expect(errors(await post(c.url, makeReports(1, 130 + (e % 7), { epoch: e })))).toEqual(['epoch: in the future']);
    }
    expect((await post(c.url, makeReports(20, 131))).body.accepted).toBe(20);
    const est = await call(c.url, 'GET', '/v1/estimates?space=lifecycle');
    expect([est.body.epoch, est.body.n]).toEqual([EPOCH, 20]);
    expect(est.body.rejected).toEqual({ 'epoch: in the future': 3 });
  });

  it('honest reports of a real client flushed after a hostile flood are all accepted', async () => {
    const t = { now: EPOCH * DAY + DAY / 3 };
    const c = await start({ epsilons: [1], now: () => t.now });
    // Flood: far-future and stale epochs, ε the collector does not take, junk OLH groups.
    const flood = [
      ...makeReports(50, 140, { epoch: 999_999_999 }),
      ...makeReports(50, 141, { epoch: EPOCH - 30 }),
      ...Array.from({ length: 200 }, (_, i) => makeReports(1, 1000 + i, { mechanism: 'grr', value: 0, epsilon: 1 + (i + 1) / 1000 } as never)[0]),
      ...Array.from({ length: 200 }, (_, i) => makeReports(1, 2000 + i, { mechanism: 'olh', seed: 1, value: 0, g: 5 + i } as never)[0]),
    ];
    const flooded = await post(c.url, flood);
    expect(flooded.status).toBe(202);
    // Nothing of it gets in: every report is outside the window, of an ε not taken, or of a g no client uses.
    expect(flooded.body.accepted).toBe(0);
    expect(new Set(errors(flooded))).toEqual(new Set(['epoch: in the future', 'epoch: older than the dedupe window', 'epsilon: not accepted', "g: expected cohortkit's OLH range for its ε: round(e^ε + 1)"]));
    const client = await createClient({
      storage: 'memory',
      now: () => t.now,
      segments: ['new-visitor', 'active', 'loyal', 'free'].map((id) => ({ id, description: id, rule: { event: id } })),
      cohorts: SPACES,
      report: { endpoint: `${c.url}/v1/reports`, epsilon: 1 },
    });
    try {
      await client.consent.update({ personalization: true, measurement: true });
      await client.track('active');
      expect(await client.flush()).toEqual({ sent: 2, queued: 0 });
      for (const [space, n] of [['lifecycle', 1], ['plans', 1]] as const) {
        const est = (await call(c.url, 'GET', `/v1/estimates?space=${space}`)).body;
        expect([space, est.epoch, est.n]).toEqual([space, EPOCH, n]);
      }
      // The same visitor a week later (its clock only): the collector refuses it as from the future, and says so.
      const later = await createClient({
        storage: 'memory',
        now: () => t.now + 7 * DAY,
        segments: ['new-visitor', 'active', 'loyal', 'free'].map((id) => ({ id, description: id, rule: { event: id } })),
        cohorts: SPACES,
        report: { endpoint: `${c.url}/v1/reports`, epsilon: 1 },
      });
      await later.consent.update({ personalization: true, measurement: true });
      await later.flush();
      const spaces = (await call(c.url, 'GET', '/v1/spaces')).body;
      expect(spaces.today).toBe(EPOCH);
      expect(spaces.rejected[EPOCH].lifecycle['epoch: in the future']).toBe(51);
      await later.close();
    } finally {
      await client.close();
    }
  });
});

describe('ε and groups', () => {
  it('ε above 20 is not accepted by default; with epsilons, only those', async () => {
    const c = await start();
    const r = await post(c.url, [20, 20.000001, 1e300, 0.01].map((e, i) => makeReports(1, 150 + i, { mechanism: 'grr', value: 0, epsilon: e } as never)[0]));
    expect(r.body).toEqual({ accepted: 2, rejected: [{ index: 1, error: 'epsilon: not accepted' }, { index: 2, error: 'epsilon: not accepted' }] });
    const only = await start({ epsilons: [0.5, 1] });
    const r2 = await post(only.url, [0.5, 1, 2, 1.0000001].map((e, i) => makeReports(1, 160 + i, { mechanism: 'grr', value: 0, epsilon: e } as never)[0]));
    expect(r2.body.accepted).toBe(2);
    expect(errors(r2)).toEqual(['epsilon: not accepted', 'epsilon: not accepted']);
  });

  it('a flood of 3,000 distinct ε values leaves at most maxGroups rows per epoch; OLH g is pinned to ε', async () => {
    const store = createMemoryStore({ maxGroups: 8 });
    const c = await start({ store, perAddressLimit: false });
    const eps = Array.from({ length: 3000 }, (_, i) => makeReports(1, 3000 + i, { mechanism: 'grr', value: 0, epsilon: 0.001 + i / 200 } as never)[0]);
    const gs = Array.from({ length: 1000 }, (_, i) => makeReports(1, 7000 + i, { mechanism: 'olh', epsilon: 1, seed: 9, value: 0, g: 2 + i } as never)[0]);
    let accepted = 0;
    for (let i = 0; i < eps.length + gs.length; i += 500) accepted += (await post(c.url, [...eps, ...gs].slice(i, i + 500))).body.accepted;
    expect(accepted).toBe(8);
    expect((await store.rows('lifecycle', EPOCH)).length).toBe(8);
    expect((await call(c.url, 'GET', '/v1/estimates?space=lifecycle')).body.rejected).toEqual({
      'epsilon: not accepted': 2993, // the 9th group on: OLH at ε = 1 with its own g (4) included
      "g: expected cohortkit's OLH range for its ε: round(e^ε + 1)": 999,
    });
    // Tomorrow (by the clock) opens its own groups, bounded the same way.
    const next = Array.from({ length: 20 }, (_, i) => makeReports(1, 9000 + i, { epoch: EPOCH + 1, mechanism: 'grr', value: 0, epsilon: 1 + i } as never)[0]);
    expect((await post(c.url, next)).body.accepted).toBe(8);
    expect((await store.rows('lifecycle')).length).toBe(16);
  });

  it('with epsilons, the groups honest clients use are reserved: maxGroups never refuses them', async () => {
    const c = await start({ epsilons: [1], maxGroups: 1 });
    // GRR, OUE and OLH (its own g) at ε = 1: three groups past maxGroups = 1, all open.
    expect((await post(c.url, makeReports(9, 9200))).body).toEqual({ accepted: 9, rejected: [] });
    const open = await start({ maxGroups: 1 });
    expect((await post(open.url, makeReports(9, 9300))).body.accepted).toBe(3); // without epsilons: GRR only
  });
});

describe('read token', () => {
  it('GET /v1/estimates and /v1/spaces need it (401 + WWW-Authenticate); POST, OPTIONS, /healthz never do', async () => {
    const c = await start({ readToken: TOKEN, allowOrigins: ['https://dash.example'] });
    for (const path of ['/v1/estimates?space=lifecycle', '/v1/spaces']) {
      for (const auth of [undefined, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${TOKEN}`, TOKEN, 'Bearer ', `Bearer ${TOKEN} ${TOKEN}`, `Bearer ${'x'.repeat(5000)}`]) {
        const r = await call(c.url, 'GET', path, undefined, auth === undefined ? {} : { authorization: auth });
        expect(r.status, `${path} ${auth?.slice(0, 30)}`).toBe(401);
        expect(r.headers['www-authenticate']).toMatch(/^Bearer realm="cohortkit"/);
        expect(JSON.stringify(r.body)).not.toMatch(/cohorts|epochs/);
      }
      for (const auth of [`Bearer ${TOKEN}`, `bearer ${TOKEN}`, `Bearer  ${TOKEN} `]) {
        expect((await call(c.url, 'GET', path, undefined, { authorization: auth })).status).toBe(200);
      }
    }
    expect((await post(c.url, makeReports(1, 170))).status).toBe(202);
    expect((await call(c.url, 'GET', '/healthz')).status).toBe(200);
    const pre = await call(c.url, 'OPTIONS', '/v1/estimates', undefined, { origin: 'https://dash.example', 'access-control-request-headers': 'authorization' });
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-headers']).toMatch(/authorization/);
    const cors = await call(c.url, 'GET', '/v1/spaces', undefined, { origin: 'https://dash.example' });
    expect([cors.status, cors.headers['access-control-allow-origin']]).toEqual([401, 'https://dash.example']);
  });

  it.each([
    ['empty', ''],
    ['short', 'abc'],
    ['header injection', 'abcdefghijklmnop\r\nset-cookie: a=b'],
    ['a space', 'abcdefgh ijklmnopq'],
    ['non-ASCII', 'abcdefghijklmnopé'],
    ['too long', 'x'.repeat(513)],
    ['not a string', 1234567890123456789],
  ])('a %s token is invalid-options naming readToken', (_, readToken) => {
    expect(() => createCollector({ spaces: SPACES, readToken: readToken as never })).toThrow(/^readToken: /);
  });
});

describe('several versions of one space side by side', () => {
  const v1: CohortSpace = { id: 'a', version: 1, description: 'v1', cohorts: [{ id: 'x', segment: 'x' }], fallback: 'rest' };
  const v2: CohortSpace = { id: 'a', version: 2, description: 'v2', cohorts: [{ id: 'x', segment: 'x' }, { id: 'y', segment: 'y' }], fallback: 'rest' };
  const reports = (version: number, k: number, n: number, value: number): LDPReport[] => {
    const m = createMechanism({ k, epsilon: 2, mechanism: 'grr' });
    return Array.from({ length: n }, () => ({ v: 1, id: randomId(), space: 'a', spaceVersion: version, epoch: EPOCH, k, mechanism: 'grr', epsilon: 2, ...m.perturb(value) }) as LDPReport);
  };

  it('accepts and estimates each version apart; ?version picks one, the highest by default', async () => {
    const c = await start({ spaces: [v2, v1] });
    const r = await post(c.url, [...reports(1, 2, 300, 0), ...reports(2, 3, 200, 1)]);
    expect(r.body).toEqual({ accepted: 500, rejected: [] });
    const bad = await post(c.url, [{ ...reports(1, 2, 1, 0)[0], spaceVersion: 3 }, { ...reports(1, 2, 1, 0)[0], k: 3 }]);
    expect(errors(bad)).toEqual(['spaceVersion: expected 1 or 2', 'k: expected 2']);
    const one = (await call(c.url, 'GET', '/v1/estimates?space=a&version=1')).body;
    const two = (await call(c.url, 'GET', '/v1/estimates?space=a')).body;
    expect([one.version, one.n, one.cohorts.map((x: { id: string }) => x.id)]).toEqual([1, 300, ['x', 'rest']]);
    expect([two.version, two.n, two.cohorts.map((x: { id: string }) => x.id)]).toEqual([2, 200, ['x', 'y', 'rest']]);
    expect(one.cohorts[0].estimate).toBeGreaterThan(one.cohorts[1].estimate);
    expect(two.cohorts[1].estimate).toBeGreaterThan(two.cohorts[0].estimate);
    expect((await call(c.url, 'GET', '/v1/estimates?space=a&version=3')).status).toBe(404);
    for (const v of ['0', '-1', '1.5', 'x', '99999999999']) expect((await call(c.url, 'GET', `/v1/estimates?space=a&version=${v}`)).status).toBe(400);
    const spaces = (await call(c.url, 'GET', '/v1/spaces')).body.spaces;
    expect(spaces.map((s: { id: string; version: number; epochs: number[] }) => [s.id, s.version, s.epochs])).toEqual([['a', 2, [EPOCH]], ['a', 1, [EPOCH]]]);
  });

  it('rollout then rollback through real clients: pages back on version 1 keep reporting and are estimated', async () => {
    const c = await start({ spaces: [v2, v1] });
    const t = { now: EPOCH * DAY + DAY / 2 };
    const page = (space: CohortSpace) => createClient({
      storage: 'memory',
      now: () => t.now,
      segments: [{ id: 'x', description: 'x', rule: { event: 'x' } }, { id: 'y', description: 'y', rule: { event: 'y' } }],
      cohorts: [space],
      report: { endpoint: `${c.url}/v1/reports`, epsilon: 2 },
    });
    const visit = async (space: CohortSpace, event: string) => {
      const client = await page(space);
      try {
        await client.consent.update({ personalization: true, measurement: true });
        await client.track(event);
        expect(await client.flush()).toEqual({ sent: 1, queued: 0 });
      } finally {
        await client.close();
      }
    };
    // Rollout: the collector knows both versions, then pages ship version 2.
    for (let i = 0; i < 6; i++) await visit(v2, 'y');
    // Rollback: pages ship version 1 again (the collector keeps both configured).
    for (let i = 0; i < 4; i++) await visit(v1, 'x');
    const one = (await call(c.url, 'GET', `/v1/estimates?space=a&version=1&epoch=${EPOCH}`)).body;
    const two = (await call(c.url, 'GET', `/v1/estimates?space=a&version=2&epoch=${EPOCH}`)).body;
    expect([one.version, one.n, two.version, two.n]).toEqual([1, 4, 2, 6]);
    expect(one.cohorts.map((x: { id: string }) => x.id)).toEqual(['x', 'rest']);
    for (const x of one.cohorts) expect(Number.isFinite(x.estimate)).toBe(true);
    // The reports of one version never count in the other's estimate.
    expect((await call(c.url, 'GET', '/v1/spaces')).body.rejected).toEqual({});
  });

  it('the same (id, version) twice is invalid-options', () => {
    expect(() => createCollector({ spaces: [v1, { ...v1 }] })).toThrow(/^spaces\[1\]\.version: duplicate space "a" version 1/);
  });
});

describe('rejection counts', () => {
  it('are kept per collector day and space, with attacker-chosen field names collapsed to one reason', async () => {
    const c = await start();
    const [good] = makeReports(1, 180);
    const extras = Array.from({ length: 100 }, (_, i) => ({ ...makeReports(1, 181 + i)[0], [`f${i}-${'z'.repeat(i)}`]: 1 }));
    await post(c.url, [...extras, { ...good, space: 'nope' }, { ...good, space: { toString: 1 } }, good, good]);
    const est = (await call(c.url, 'GET', '/v1/estimates?space=lifecycle')).body;
    expect(est.rejected).toEqual({ 'report: unexpected field': 100, duplicate: 1 });
    const all = (await call(c.url, 'GET', '/v1/spaces')).body.rejected;
    expect(all).toEqual({ [EPOCH]: { lifecycle: { 'report: unexpected field': 100, duplicate: 1 }, '*': { 'space: unknown space': 2 } } });
  });
});

describe('property: hostile reports never change whether an honest report of today is accepted', () => {
  const hostile = fc.record(
    {
      v: fc.oneof(fc.constant(1), fc.anything()),
      id: fc.constant(null).map(() => randomId()),
      space: fc.constantFrom('lifecycle', 'plans', 'nope', ''),
      spaceVersion: fc.oneof(fc.constantFrom(1, 2, 3), fc.integer()),
      epoch: fc.oneof(
        fc.integer({ min: EPOCH - 20, max: EPOCH + 20 }),
        fc.constantFrom(999_999_999, Number.MAX_SAFE_INTEGER, -1, 0, 2 ** 31, 1e308),
        fc.double(),
      ),
      k: fc.constantFrom(2, 4, 5, 0),
      mechanism: fc.constantFrom('grr', 'oue', 'olh', 'ss', 'x'),
      epsilon: fc.oneof(fc.constantFrom(1, 2, 20, 21), fc.double({ min: 0, max: 40 })),
      value: fc.integer({ min: -1, max: 10 }),
      g: fc.integer({ min: 1, max: 2 ** 32 }),
      seed: fc.nat(),
      bits: fc.constantFrom('AA', 'Dw', 'AAA'),
    },
    { requiredKeys: ['id', 'epoch', 'space'] },
  );
  it('whatever is sent first, from other addresses, the honest report is accepted', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(hostile, { maxLength: 40 }), { maxLength: 6 }), fc.integer({ min: 0, max: 2 }), async (batches, mech) => {
        const c = await start({ epsilons: [1], trustProxy: true, perAddressLimit: 600, rateLimit: { requests: 200, perMs: 1000 } });
        for (const [i, b] of batches.entries()) {
          const r = await post(c.url, b, { 'x-forwarded-for': `198.51.100.${i % 3}` });
          expect(r.status).toBe(202);
        }
        const [honest] = makeReports(3, 190).slice(mech); // grr, oue or olh at ε = 1, today
        const r = await post(c.url, honest, { 'x-forwarded-for': '203.0.113.9' });
        expect(r.body).toEqual({ accepted: 1, rejected: [] });
        await c.close();
      }),
      { numRuns: 40 },
    );
  });
});
