import { describe, expect, it } from 'vitest';
import { isCohortkitError } from '../../src/errors';
import { validateCohortSpaces, validateReportOptions } from '../../src/reporting';
import { catalog } from './helpers';

const space = (extra: Record<string, unknown> = {}) => ({
  id: 'lifecycle',
  description: 'where visitors are',
  cohorts: [
    { id: 'buyers', segment: 'buyer' },
    { id: 'browsers', segment: 'browser' },
  ],
  fallback: 'other',
  ...extra,
});

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(isCohortkitError(e)).toBe(true);
    expect((e as { code: string }).code).toBe('invalid-options');
    return (e as Error).message;
  }
  throw new Error('expected a throw');
}

describe('validateCohortSpaces', () => {
  it('compiles a valid space with k, version default and purposes', () => {
    const [s, t] = validateCohortSpaces(
      [space(), space({ id: 'ads', version: 3, cohorts: [{ id: 'fans', segment: 'via_ads' }] })],
      catalog,
    );
    expect(s).toEqual({
      id: 'lifecycle',
      version: 1,
      description: 'where visitors are',
      k: 3,
      cohorts: [
        { id: 'buyers', segment: 'buyer' },
        { id: 'browsers', segment: 'browser' },
      ],
      fallback: 'other',
      purposes: ['measurement', 'personalization'],
    });
    expect(t.k).toBe(2);
    expect(t.version).toBe(3);
    expect([...t.purposes].sort()).toEqual(['ads', 'measurement', 'personalization']);
  });

  it('treats undefined as no spaces', () => {
    expect(validateCohortSpaces(undefined, catalog)).toEqual([]);
  });

  const cohorts = (c: unknown) => space({ cohorts: c });
  const rows: Array<[string, unknown, string]> = [
    ['not an array', {}, 'cohorts: expected an array'],
    ['space not object', [1], 'cohorts[0]: expected a plain object'],
    ['unknown key', [space({ extra: 1 })], 'cohorts[0].extra: unknown key, expected one of id, version, description, cohorts, fallback'],
    ['bad id', [space({ id: 'Life' })], 'cohorts[0].id: expected an id'],
    ['missing id', [space({ id: undefined })], 'cohorts[0].id: expected an id'],
    ['duplicate space', [space(), space()], 'cohorts[1].id: duplicate id "lifecycle"'],
    ['version 0', [space({ version: 0 })], 'cohorts[0].version: expected a positive integer'],
    ['version 1.5', [space({ version: 1.5 })], 'cohorts[0].version: expected a positive integer'],
    ['version string', [space({ version: '1' })], 'cohorts[0].version: expected a positive integer'],
    ['empty description', [space({ description: '  ' })], 'cohorts[0].description: expected a non-empty string'],
    ['missing description', [space({ description: undefined })], 'cohorts[0].description: expected a non-empty string'],
    ['no cohorts', [space({ cohorts: [] })], 'cohorts[0].cohorts: expected a non-empty array'],
    ['cohorts object', [space({ cohorts: {} })], 'cohorts[0].cohorts: expected a non-empty array'],
    ['cohort unknown key', [cohorts([{ id: 'a', segment: 'buyer', x: 1 }])], 'cohorts[0].cohorts[0].x: unknown key, expected one of id, segment'],
    ['cohort bad id', [cohorts([{ id: '-a', segment: 'buyer' }])], 'cohorts[0].cohorts[0].id: expected an id'],
    [
      'duplicate cohort',
      [cohorts([{ id: 'a', segment: 'buyer' }, { id: 'a', segment: 'browser' }])],
      'cohorts[0].cohorts[1].id: duplicate id "a"',
    ],
    ['unknown segment', [space(), space({ id: 'second', cohorts: [{ id: 'a', segment: 'x' }] })], 'cohorts[1].cohorts[0].segment: unknown segment "x"'],
    ['segment not string', [cohorts([{ id: 'a', segment: 3 }])], 'cohorts[0].cohorts[0].segment: unknown segment 3'],
    [
      'sensitive segment',
      [cohorts([{ id: 'a', segment: 'buyer' }, { id: 'b', segment: 'health' }])],
      'cohorts[0].cohorts[1].segment: segment "health" is sensitive',
    ],
    ['sensitive by reference', [cohorts([{ id: 'a', segment: 'via_health' }])], 'cohorts[0].cohorts[0].segment: segment "via_health" is sensitive'],
    ['fallback invalid', [space({ fallback: 'Other!' })], 'cohorts[0].fallback: expected an id'],
    ['fallback missing', [space({ fallback: undefined })], 'cohorts[0].fallback: expected an id'],
    ['fallback clashes', [space({ fallback: 'buyers' })], 'cohorts[0].fallback: duplicate id "buyers"'],
    [
      'throwing getter',
      [Object.defineProperty(space(), 'description', { enumerable: true, get: () => { throw new Error('boom'); } })],
      'cohorts[0].description: could not be read',
    ],
  ];
  it.each(rows)('%s', (_name, input, message) => {
    expect(errorOf(() => validateCohortSpaces(input, catalog)).startsWith(message)).toBe(true);
  });
});

describe('validateReportOptions', () => {
  it('fills defaults', () => {
    expect(validateReportOptions({ endpoint: 'https://c.example/v1/reports' })).toEqual({
      endpoint: 'https://c.example/v1/reports',
      epsilon: 1,
      epoch: 'day',
      mechanism: 'auto',
    });
  });
  it('keeps explicit values', () => {
    expect(
      validateReportOptions({ endpoint: 'http://localhost:8080/r?site=1', epsilon: 0.5, epoch: 'week', mechanism: 'olh', budget: 2 }),
    ).toEqual({ endpoint: 'http://localhost:8080/r?site=1', epsilon: 0.5, epoch: 'week', mechanism: 'olh', budget: 2 });
  });
  it.each(['http://127.0.0.1:3000/r', 'http://127.9.8.7/r', 'http://[::1]:8080/r', 'http://localhost/r', 'https://x.example/r?a=b&c=d'])(
    'accepts %s',
    (endpoint) => expect(validateReportOptions({ endpoint }).endpoint).toBe(endpoint),
  );

  const https = 'report.endpoint: expected https: (or http: on loopback)';
  const rows: Array<[string, unknown, string]> = [
    ['not an object', 'https://x', 'report: expected a plain object'],
    ['unknown key', { endpoint: 'https://x.example', foo: 1 }, 'report.foo: unknown key, expected one of endpoint, epsilon, epoch, mechanism, budget'],
    ['missing endpoint', {}, 'report.endpoint: expected an absolute URL'],
    ['relative endpoint', { endpoint: '/v1/reports' }, 'report.endpoint: expected an absolute URL'],
    ['endpoint number', { endpoint: 42 }, 'report.endpoint: expected an absolute URL'],
    ['http remote', { endpoint: 'http://collector.example/r' }, https],
    ['http lookalike', { endpoint: 'http://127.0.0.1.evil.example/r' }, https],
    ['http localhost subdomain', { endpoint: 'http://localhost.evil.example/r' }, https],
    ['ftp', { endpoint: 'ftp://x.example/r' }, https],
    ['javascript', { endpoint: 'javascript:alert(1)' }, https],
    ['credentials', { endpoint: 'https://u:p@x.example/r' }, 'report.endpoint: must not contain credentials'],
    ['epsilon 0', { endpoint: 'https://x.example', epsilon: 0 }, 'report.epsilon: expected a finite number ≥ 1e-6'],
    ['epsilon 1e-7 (below what any estimator accepts)', { endpoint: 'https://x.example', epsilon: 1e-7 }, 'report.epsilon: expected a finite number ≥ 1e-6'],
    ['epsilon Infinity', { endpoint: 'https://x.example', epsilon: Infinity }, 'report.epsilon: expected a finite number ≥ 1e-6'],
    ['epsilon NaN', { endpoint: 'https://x.example', epsilon: NaN }, 'report.epsilon: expected a finite number ≥ 1e-6'],
    ['epsilon string', { endpoint: 'https://x.example', epsilon: '1' }, 'report.epsilon: expected a finite number ≥ 1e-6'],
    ['epoch month', { endpoint: 'https://x.example', epoch: 'month' }, 'report.epoch: expected one of day, week'],
    ['mechanism rappor', { endpoint: 'https://x.example', mechanism: 'rappor' }, 'report.mechanism: expected one of auto, grr, oue, olh, ss'],
    ['budget negative', { endpoint: 'https://x.example', budget: -1 }, 'report.budget: expected a finite number > 0'],
    ['budget Infinity', { endpoint: 'https://x.example', budget: Infinity }, 'report.budget: expected a finite number > 0'],
  ];
  it.each(rows)('%s', (_name, input, message) => {
    expect(errorOf(() => validateReportOptions(input)).startsWith(message)).toBe(true);
  });
});

describe('hostile input', () => {
  it('turns proxies and throwing getters into invalid-options naming the path', () => {
    const r = Proxy.revocable({}, {});
    r.revoke();
    expect(errorOf(() => validateReportOptions(r.proxy))).toBe('report: expected a plain object');
    const items = [space()];
    Object.defineProperty(items, '0', { get: () => { throw new Error('boom'); } });
    expect(errorOf(() => validateCohortSpaces(items, catalog))).toBe('cohorts[0]: could not be read');
    const traps = new Proxy(space(), { ownKeys: () => { throw new Error('trap'); } });
    expect(errorOf(() => validateCohortSpaces([traps], catalog))).toBe('cohorts[0]: could not be read');
  });
});

describe('a relative endpoint with the page as base', () => {
  it('resolves against the page, then passes the same checks', () => {
    expect(validateReportOptions({ endpoint: '/v1/reports?site=a' }, 'https://shop.example/p/1').endpoint).toBe('https://shop.example/v1/reports?site=a');
    expect(validateReportOptions({ endpoint: 'v1/reports' }, 'http://127.0.0.1:8787/demo/').endpoint).toBe('http://127.0.0.1:8787/demo/v1/reports');
    expect(() => validateReportOptions({ endpoint: '/v1/reports' }, 'http://shop.example/')).toThrow(/^report\.endpoint: expected https:/);
    expect(() => validateReportOptions({ endpoint: '//user:pw@c.example/r' }, 'https://shop.example/')).toThrow(/^report\.endpoint: must not contain credentials/);
    expect(() => validateReportOptions({ endpoint: '/v1/reports' })).toThrow(/^report\.endpoint: expected an absolute URL/);
  });
});

describe('validateReportOptions: a mechanism that cannot report a space', () => {
  const sp = (k: number) => ({ id: `s${k}`, version: 1, description: 'd', k, cohorts: [], fallback: 'f', purposes: ['measurement'] });
  it('refuses ss for a space of k > 4096 and oue for k > 262,144, naming report.mechanism and the space', () => {
    expect(errorOf(() => validateReportOptions({ endpoint: 'https://x.example', mechanism: 'ss' }, undefined, [sp(3), sp(4097)]))).toBe(
      'report.mechanism: ss takes k ≤ 4096; cohorts[1] has k = 4097',
    );
    expect(errorOf(() => validateReportOptions({ endpoint: 'https://x.example', mechanism: 'oue' }, undefined, [sp(262_145)]))).toBe(
      'report.mechanism: oue takes k ≤ 262144; cohorts[0] has k = 262145',
    );
  });
  it('accepts them at the caps, and auto, grr and olh for any k', () => {
    expect(validateReportOptions({ endpoint: 'https://x.example', mechanism: 'ss' }, undefined, [sp(4096)]).mechanism).toBe('ss');
    expect(validateReportOptions({ endpoint: 'https://x.example', mechanism: 'oue' }, undefined, [sp(262_144)]).mechanism).toBe('oue');
    for (const mechanism of ['auto', 'grr', 'olh'])
      expect(validateReportOptions({ endpoint: 'https://x.example', mechanism }, undefined, [sp(2 ** 20)]).mechanism).toBe(mechanism);
    expect(validateReportOptions({ endpoint: 'https://x.example' }, undefined, [sp(2 ** 20)]).mechanism).toBe('auto');
  });
});
