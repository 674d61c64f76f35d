// The add-on seams through real clients (fake-indexeddb, real stores): private reporting and the
// CMP adapters load on demand; when they cannot be loaded the client emits `network` and runs on,
// the idle reporting runtime keeps what is queued (shown, counted, purged on withdrawal), and an
// invalid option still rejects with its message. The idle runtime answers as the real one does
// without `report`, also on hostile stored records.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CohortkitError, isCohortkitError } from '../../src/errors';
import { createClient } from '../../src/index';
import { createReportingRuntime } from '../../src/client/reporting';
import { createIdleRuntime } from '../../src/client/reporting-addon';
import { createMemoryStore } from '../../src/storage/memory-store';
import type { ClientOptions, SegmentDefinition } from '../../src/types';

// Each loader is the real one unless a test makes it fail (as a missing add-on file does).
const fail = vi.hoisted(() => ({ reporting: false, interop: false, personalize: false, personalizeChunk: false, context: false, contextLoads: 0 }));
vi.mock('../../src/client/load-context', async (orig) => {
  const real = (await orig()) as typeof import('../../src/client/load-context');
  return {
    loadContext: () => (fail.contextLoads++, fail.context ? Promise.reject(new Error('chunk failed')) : real.loadContext()),
  };
});
// The personalization add-on: loads counted; `duringRestore` runs while it reads its state.
const personalize = vi.hoisted(() => ({ loads: 0, duringRestore: undefined as undefined | (() => Promise<void>) }));
vi.mock('../../src/client/load-personalize', async (orig) => {
  const real = (await orig()) as typeof import('../../src/client/load-personalize');
  return {
    loadPersonalize: async () => {
      personalize.loads++;
      if (fail.personalize) throw new CohortkitError('network', 'cohortkit: add-on cohortkit-personalize.js could not be loaded from x');
      if (fail.personalizeChunk) throw new TypeError('Failed to fetch dynamically imported module'); // as the ESM build's import() fails
      const m = await real.loadPersonalize();
      return {
        ...m,
        createPersonalizationRuntime: (env: Parameters<typeof m.createPersonalizationRuntime>[0]) => {
          const rt = m.createPersonalizationRuntime(env);
          const restore = rt.restore;
          rt.restore = async () => (await restore(), await personalize.duringRestore?.());
          return rt;
        },
      };
    },
  };
});
// The declared-interests add-on (declare()): loads counted; `fail` fails the load as a missing file does, `chunk` as the ESM build's chunk does.
const interestsAddon = vi.hoisted(() => ({ loads: 0, fail: false, chunk: false }));
vi.mock('../../src/client/load-interests', async (orig) => {
  const real = (await orig()) as typeof import('../../src/client/load-interests');
  return {
    loadInterests: () => (
      interestsAddon.loads++,
      interestsAddon.fail
        ? Promise.reject(new CohortkitError('network', 'cohortkit: add-on cohortkit-interests.js could not be loaded from x'))
        : interestsAddon.chunk
          ? Promise.reject(new TypeError('Failed to fetch dynamically imported module')) // as the ESM build's import() fails
          : real.loadInterests()
    ),
  };
});
vi.mock('../../src/client/load-reporting', async (orig) => {
  const real = (await orig()) as typeof import('../../src/client/load-reporting');
  return { loadReporting: () => (fail.reporting ? Promise.reject(new CohortkitError('network', 'cohortkit: add-on cohortkit-reporting.js could not be loaded from x')) : real.loadReporting()) };
});
vi.mock('../../src/consent/load-adapters', async (orig) => {
  const real = (await orig()) as typeof import('../../src/consent/load-adapters');
  return { loadAdapters: () => (fail.interop ? Promise.reject(new Error('chunk failed')) : real.loadAdapters()) };
});

let n = 0;
const ns = () => `addons${n++}`;
const segments: SegmentDefinition[] = [{ id: 'reader', description: 'reads', rule: { event: 'article_view' } }];
const cohorts = [{ id: 'lifecycle', description: 'who', cohorts: [{ id: 'readers', segment: 'reader' }], fallback: 'others' }];
const report = { endpoint: 'https://collector.example/v1/reports' };

const origFetch = globalThis.fetch;
afterEach(() => {
  fail.reporting = fail.interop = fail.personalize = fail.personalizeChunk = fail.context = false;
  interestsAddon.fail = interestsAddon.chunk = false;
  personalize.duringRestore = undefined;
  globalThis.fetch = origFetch;
  delete (window as unknown as Record<string, unknown>).__tcfapi;
});
const answer = (status: number) => (globalThis.fetch = vi.fn(async () => new Response('{}', { status })) as never);
const errorsOf = (c: Awaited<ReturnType<typeof createClient>>) => {
  const seen: CohortkitError[] = [];
  c.on('error', (e) => seen.push(e as CohortkitError));
  return seen;
};
const tick = () => new Promise((r) => setTimeout(r, 10));
const deleted = (name: string) =>
  new Promise((r) => Object.assign(indexedDB.deleteDatabase(name), { onsuccess: () => r('deleted'), onblocked: () => r('blocked') }));

describe('reporting add-on', () => {
  it('an invalid report or cohorts option rejects with its message, and the store opened meanwhile is closed', async () => {
    for (const [extra, message] of [
      [{ report: { endpoint: 'ftp://c.example/r' } }, /^report\.endpoint: /],
      [{ report: { ...report, epsilon: -1 } }, /^report\.epsilon: /],
      [{ cohorts: [{ id: 'x', description: 'x', cohorts: [{ id: 'a', segment: 'nope' }], fallback: 'f' }] }, /^cohorts\[0\]/],
      [{ cohorts: 'all' }, /^cohorts: /],
    ] as Array<[Partial<ClientOptions>, RegExp]>) {
      const namespace = ns();
      const e = await createClient({ namespace, segments, ...extra }).then(() => undefined, (x) => x);
      expect(isCohortkitError(e), String(e)).toBe(true);
      expect((e as CohortkitError).code).toBe('invalid-options');
      expect((e as CohortkitError).message).toMatch(message);
      expect(await deleted(`cohortkit:${namespace}`)).toBe('deleted');
    }
  });

  it('cannot be loaded: error (network), createClient resolves; queued reports are shown, counted, kept, purged on withdrawal', async () => {
    const namespace = ns();
    answer(503); // the collector refuses: the report stays queued
    const first = await createClient({ namespace, segments, cohorts, report });
    await first.consent.update({ personalization: true, measurement: true });
    await first.track('article_view');
    expect(await first.flush()).toEqual({ sent: 0, queued: 1 });
    await first.close();

    fail.reporting = true;
    answer(202);
    const c = await createClient({ namespace, segments, cohorts, report });
    const errors = errorsOf(c);
    await tick();
    expect(errors.map((e) => [e.code, e.message])).toEqual([['network', 'cohortkit: add-on cohortkit-reporting.js could not be loaded from x']]);
    expect(await c.flush()).toEqual({ sent: 0, queued: 1 });
    expect(globalThis.fetch).not.toHaveBeenCalled();
    const data = await c.exportData();
    expect(data.reports.queued).toHaveLength(1);
    expect(data.privacy.epochs).toHaveLength(1);
    // the visitor's withdrawal still purges it, counted in the receipt
    await c.consent.update({ measurement: false });
    expect((await c.consent.history()).at(-1)!.purged).toMatchObject({ reports: 1 });
    expect((await c.exportData()).reports.queued).toEqual([]);
    expect(await c.flush()).toEqual({ sent: 0, queued: 0 });
    await c.close();
  });

  it('loaded again on a later page: a report queued before is delivered', async () => {
    const namespace = ns();
    answer(503);
    const first = await createClient({ namespace, segments, cohorts, report });
    await first.consent.update({ personalization: true, measurement: true });
    await first.track('article_view');
    await first.flush();
    await first.close();
    fail.reporting = true;
    await (await createClient({ namespace, segments, cohorts, report })).close();
    fail.reporting = false;
    answer(202);
    const c = await createClient({ namespace, segments, cohorts, report });
    await c.flush();
    expect((await c.exportData()).reports).toMatchObject({ queued: [], sent: [expect.objectContaining({ space: 'lifecycle' })] });
    await c.close();
  });

  it('not configured: nothing is loaded, flush() and exportData() answer as before', async () => {
    fail.reporting = true; // would fail if it were loaded
    const c = await createClient({ storage: 'memory', segments });
    const errors = errorsOf(c);
    expect(await c.flush()).toEqual({ sent: 0, queued: 0 });
    const data = await c.exportData();
    expect(data.reports).toEqual({ queued: [], sent: [] });
    expect(data.privacy).toEqual({ epochs: [], lifetime: { spent: 0, bySpace: {}, budget: null, exhausted: [] } });
    await tick();
    expect(errors).toEqual([]);
    await c.close();
  });
});

describe('idle reporting runtime vs the real one without report', () => {
  it('same exportData, purge plan and sweep over the same store, hostile records included', async () => {
    const entry = (id: string, purposes: string[], sentAt?: number) => ({
      id,
      purposes,
      attempts: 0,
      nextAt: 0,
      ...(sentAt && { sentAt }),
      report: { v: 1, id, space: 's', spaceVersion: 1, epoch: 3, k: 2, mechanism: 'grr', epsilon: 1, value: 0 },
    });
    const seed = async () => {
      const store = createMemoryStore();
      await store.write([
        { type: 'put', store: 'outbox', value: entry('a', ['measurement']) as never },
        { type: 'put', store: 'outbox', value: entry('b', ['measurement', 'personalization'], 5) as never },
        { type: 'put', store: 'outbox', value: { id: 'junk', purposes: 'measurement' } as never },
        { type: 'put', store: 'outbox', value: { id: 'junk2', purposes: ['x'], report: null, nextAt: '1' } as never },
        { type: 'put', store: 'meta', key: 'report:epochs', value: { 3: { spent: 1, spaces: ['s'], skipped: ['t'], budget: 2 } } },
      ]);
      return store;
    };
    const granted = new Set(['measurement']);
    const env = (store: Awaited<ReturnType<typeof seed>>) => ({
      store: () => store,
      now: () => 10,
      isGranted: (p: string) => granted.has(p),
      purposes: ['personalization', 'measurement'],
      consentState: () => ({}),
      members: () => () => false,
      exclusive: <T>(fn: () => Promise<T>) => fn(),
      onReport: () => {},
      onError: (e: unknown) => {
        throw e;
      },
    });
    const [s1, s2] = [await seed(), await seed()];
    const idle = createIdleRuntime(env(s1), false);
    const real = createReportingRuntime({ ...env(s2), spaces: [], config: undefined });
    expect(await idle.exportData()).toEqual(await real.exportData());
    expect(await idle.flush()).toEqual(await real.flush());
    for (const p of ['measurement', 'personalization', 'other'])
      expect(idle.planPurge(p, await s1.getAll('outbox'))).toEqual(real.planPurge(p, await s2.getAll('outbox')));
    await idle.sweep();
    await real.sweep();
    expect(await s1.getAll('outbox')).toEqual(await s2.getAll('outbox'));
    expect((await s1.getAll('outbox')).map((e) => e.id).sort()).toEqual(['a', 'junk', 'junk2']); // b relied on personalization
    real.close();
  });

  it('failed (the add-on did not load): flush() counts what waits instead of claiming nothing does', async () => {
    const store = createMemoryStore();
    await store.write([{ type: 'put', store: 'outbox', value: { id: 'a', purposes: [], attempts: 0, nextAt: 0, report: { epoch: 1 } } as never }]);
    const errors: unknown[] = [];
    const idle = createIdleRuntime({ store: () => store, isGranted: () => true, onError: (e: unknown) => errors.push(e) } as never, true);
    expect(await idle.flush()).toEqual({ sent: 0, queued: 1 });
    // a store that refuses the read: reported, never a rejection
    const broken = createIdleRuntime({ store: () => ({ getAll: () => Promise.reject(new Error('gone')) }), onError: (e: unknown) => errors.push(e) } as never, true);
    expect(await broken.flush()).toEqual({ sent: 0, queued: 0 });
    expect(errors).toMatchObject([{ code: 'storage', message: 'Error: gone' }]);
  });
});

describe('interop add-on', () => {
  it('an invalid interop option still rejects with its message (validated by the add-on)', async () => {
    const e = await createClient({ storage: 'memory', interop: { tcf: { map: { personalization: [0] } } } }).then(() => undefined, (x) => x);
    expect(e).toMatchObject({ code: 'invalid-options', message: expect.stringMatching(/^interop\.tcf\.map\.personalization: expected a non-empty array of TCF purpose ids/) });
    const hostile = { get tcf() { throw new Error('boom'); } };
    await expect(createClient({ storage: 'memory', interop: hostile as never })).rejects.toMatchObject({ code: 'invalid-options' });
  });

  it('cannot be loaded: error (network), the client runs on without CMP choices', async () => {
    fail.interop = true;
    const c = await createClient({ storage: 'memory', interop: { tcf: { map: { personalization: [1] } } } });
    const errors = errorsOf(c);
    await tick();
    expect(errors.map((e) => [e.code, e.message])).toEqual([['network', 'interop: the CMP adapters could not be loaded']]);
    await c.consent.update({ personalization: true });
    expect(c.consent.get().personalization).toBe('granted');
    await c.close();
  });
});

describe('personalization add-on', () => {
  const measured: SegmentDefinition[] = [{ id: 'reader', description: 'reads', purposes: ['measurement'], rule: { event: 'article_view' } }];
  const capped = { slot: 'hero', variants: [{ segment: 'reader', value: 'v' }], fallback: 'f', cap: { max: 1, per: '1d' as const } };

  it('loaded once, on the first decide(): a client that never decides never loads it', async () => {
    const before = personalize.loads;
    const c = await createClient({ namespace: ns(), segments });
    await c.consent.update({ personalization: true });
    await c.track('article_view');
    expect(await c.segments()).toHaveLength(1);
    expect(personalize.loads).toBe(before);
    const req = { slot: 'hero', variants: [{ segment: 'reader', value: 'v' }], fallback: 'f' };
    await expect(Promise.all([c.decide(req), c.decide(req)])).resolves.toEqual([
      { value: 'v', reason: 'segment', segment: 'reader' },
      { value: 'v', reason: 'segment', segment: 'reader' },
    ]);
    expect(personalize.loads).toBe(before + 1);
    // an invalid request still rejects with its message (validated by the add-on)
    await expect(c.decide({ slot: '', variants: [], fallback: 1 })).rejects.toMatchObject({ code: 'invalid-argument', message: expect.stringMatching(/^request\.slot: /) });
    await c.close();
  });

  it('cannot be loaded: decide() rejects with network, the rest of the client works, a later decide() loads it', async () => {
    const c = await createClient({ namespace: ns(), segments });
    await c.consent.update({ personalization: true });
    fail.personalize = true;
    const e = await c.decide({ slot: 'hero', variants: [], fallback: 'f' }).then(() => undefined, (x) => x);
    expect(e).toBeInstanceOf(CohortkitError);
    expect(e).toMatchObject({ code: 'network', message: expect.stringContaining('cohortkit-personalize.js') });
    expect(await c.track('article_view')).toEqual({ stored: true, reason: 'stored' });
    fail.personalize = false;
    expect(await c.decide({ slot: 'hero', variants: [{ segment: 'reader', value: 'v' }], fallback: 'f' })).toMatchObject({ reason: 'segment' });
    await c.close();
  });

  it("the ESM build's chunk cannot be loaded: decide() rejects with network too, the cause kept", async () => {
    const c = await createClient({ namespace: ns(), segments });
    fail.personalizeChunk = true;
    const e = await c.decide({ slot: 'hero', variants: [], fallback: 'f' }).then(() => undefined, (x) => x);
    expect(e).toBeInstanceOf(CohortkitError);
    expect(e).toMatchObject({ code: 'network', message: 'decide: personalization could not be loaded', cause: expect.any(TypeError) });
    fail.personalizeChunk = false;
    expect(await c.decide({ slot: 'hero', variants: [], fallback: 'f' })).toMatchObject({ value: 'f' });
    await c.close();
  });

  it('a runtime that fails to start after the add-on arrived: that decide() rejects, the next one starts it again', async () => {
    const c = await createClient({ namespace: ns(), segments });
    await c.consent.update({ personalization: true });
    await c.track('article_view');
    personalize.duringRestore = async () => {
      personalize.duringRestore = undefined;
      throw new CohortkitError('storage', 'the state could not be read');
    };
    await expect(c.decide({ slot: 'hero', variants: [], fallback: 'f' })).rejects.toMatchObject({ code: 'storage' });
    expect(await c.decide({ slot: 'hero', variants: [{ segment: 'reader', value: 'v' }], fallback: 'f' })).toMatchObject({ reason: 'segment' });
    await c.close();
  });

  it('caps restored on a later page; a withdrawal while they are being read leaves none behind', async () => {
    const namespace = ns();
    const a = await createClient({ namespace, segments: measured });
    await a.consent.update({ personalization: true, measurement: true });
    await a.track('article_view');
    expect((await a.decide(capped)).reason).toBe('segment');
    expect((await a.decide(capped)).reason).toBe('capped');
    await a.close();
    // a later page reads the cap back (so the test below can fail)
    const b = await createClient({ namespace, segments: measured });
    expect((await b.decide(capped)).reason).toBe('capped');
    await b.close();
    // withdrawn and granted again while the add-on reads the caps: the purge deletes them, and what was read is dropped
    const c = await createClient({ namespace, segments: measured });
    personalize.duringRestore = async () => {
      personalize.duringRestore = undefined;
      await c.consent.update({ personalization: false });
      await c.consent.update({ personalization: true });
    };
    expect(await c.decide(capped)).toEqual({ value: 'v', reason: 'segment', segment: 'reader' });
    expect((await c.decide(capped)).reason).toBe('capped');
    await c.close();
  });
});

describe('context add-on', () => {
  const byLanguage: SegmentDefinition[] = [
    ...segments,
    { id: 'speaks', description: 'browser language', rule: { all: [{ event: 'article_view' }, { not: { context: 'language', in: ['xx'] } }, { context: 'language', in: [navigator.language] }] } },
  ];

  it('loaded only when a segment has a context rule (at any depth), before createClient resolves', async () => {
    const before = fail.contextLoads;
    const plain = await createClient({ namespace: ns(), segments });
    expect(fail.contextLoads).toBe(before);
    await plain.close();
    const c = await createClient({ namespace: ns(), segments: byLanguage });
    expect(fail.contextLoads).toBe(before + 1);
    await c.consent.update({ personalization: true });
    await c.track('article_view');
    expect((await c.segments()).map((m) => m.id)).toEqual(['reader', 'speaks']);
    expect((await c.explain('speaks')).conditions.find((x) => x.path.endsWith('all[2]'))).toMatchObject({ passed: true, observed: navigator.language.toLowerCase() });
    await c.close();
  });

  it('cannot be loaded: error (network), createClient resolves; a context rule reads no value, other segments work', async () => {
    fail.context = true;
    const c = await createClient({ namespace: ns(), segments: byLanguage });
    const errors = errorsOf(c);
    await c.consent.update({ personalization: true });
    await c.track('article_view');
    expect((await c.segments()).map((m) => m.id)).toEqual(['reader']);
    expect((await c.explain('speaks')).member).toBe(false);
    await tick();
    expect(errors.map((e) => [e.code, e.message])).toEqual([['network', 'context: the visitor-context reader could not be loaded']]);
    expect(errors[0]).toBeInstanceOf(CohortkitError);
    await c.close();
  });
});

describe('declared-interests add-on (declare)', () => {
  const interests = [{ id: 'hiking', label: 'Hiking' }, { id: 'stats', label: 'Statistics', purposes: ['measurement'] }];
  const hikers: SegmentDefinition[] = [{ id: 'hiker', description: 'said they like hiking', rule: { declared: 'hiking' } }];

  it('loaded on the first declare() only: reading, export, withdrawal and a later page need none', async () => {
    const namespace = ns();
    const before = interestsAddon.loads;
    const a = await createClient({ namespace, interests, segments: hikers });
    await a.consent.update({ personalization: true });
    expect(a.interests.get()).toEqual([]);
    expect(interestsAddon.loads).toBe(before);
    expect(await a.interests.declare(['hiking'])).toEqual({ stored: true, reason: 'stored' });
    expect(interestsAddon.loads).toBe(before + 1);
    // validated by the add-on, with its message (this bundle's error class)
    const bad = await a.interests.declare(['nope']).then(() => undefined, (x) => x);
    expect(bad).toBeInstanceOf(CohortkitError);
    expect(bad).toMatchObject({ code: 'invalid-argument', message: 'ids[0]: unknown interest "nope" (not in options.interests)' });
    await a.close();
    // a later page reads, segments and exports them without the add-on; a withdrawal purges them
    const loads = interestsAddon.loads;
    const b = await createClient({ namespace, interests, segments: hikers });
    expect(b.interests.get()).toEqual(['hiking']);
    expect((await b.segments()).map((m) => m.id)).toEqual(['hiker']);
    expect((await b.exportData()).interests).toEqual(['hiking']);
    await b.consent.update({ personalization: false });
    expect(b.interests.get()).toEqual([]);
    expect((await b.consent.history()).at(-1)).toMatchObject({ purpose: 'personalization', granted: false, purged: { signals: 1 } });
    expect(interestsAddon.loads).toBe(loads);
    await b.close();
  });

  it('cannot be loaded: declare() rejects with network and nothing changes; a later declare() loads it', async () => {
    const namespace = ns();
    const c = await createClient({ namespace, interests, segments: hikers });
    await c.consent.update({ personalization: true });
    expect(await c.interests.declare(['hiking'])).toEqual({ stored: true, reason: 'stored' });
    interestsAddon.fail = true;
    const e = await c.interests.declare([]).then(() => undefined, (x) => x);
    expect(e).toBeInstanceOf(CohortkitError);
    expect(e).toMatchObject({ code: 'network', message: expect.stringContaining('cohortkit-interests.js') });
    expect(c.interests.get()).toEqual(['hiking']);
    expect((await c.segments()).map((m) => m.id)).toEqual(['hiker']);
    expect(await c.track('article_view')).toMatchObject({ reason: 'unreferenced' });
    interestsAddon.fail = false;
    // the ESM build's chunk failing: network too, naming what could not be loaded, the cause kept
    interestsAddon.chunk = true;
    const chunk = await c.interests.declare([]).then(() => undefined, (x) => x);
    expect(chunk).toMatchObject({ code: 'network', message: 'interests.declare: declared interests could not be loaded', cause: expect.any(TypeError) });
    expect(c.interests.get()).toEqual(['hiking']);
    interestsAddon.chunk = false;
    expect(await c.interests.declare([])).toEqual({ stored: true, reason: 'stored' });
    expect(c.interests.get()).toEqual([]);
    await c.close();
  });
});
