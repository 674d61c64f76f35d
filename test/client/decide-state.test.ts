// decide()'s state through real clients (fake-indexeddb): exposures count toward the cap before
// anything is awaited (concurrent calls), the caps and the local holdout id are stored under the
// purposes of the segments they were made for (not only `personalization`) and purged on their
// withdrawal, and exportData() includes them, on a page that never loaded the add-on too.
import { openDB } from 'idb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClient } from '../../src/index';
import { defineExperiment } from '../../src/personalization';
import type { Client, ClientOptions } from '../../src/types';

// The personalization add-on's loads, counted.
const loads = vi.hoisted(() => ({ n: 0 }));
vi.mock('../../src/client/load-personalize', async (orig) => {
  const real = (await orig()) as typeof import('../../src/client/load-personalize');
  return { loadPersonalize: () => (loads.n++, real.loadPersonalize()) };
});

let n = 0;
const ns = () => `decide-state-${n++}`;
let open: Client[] = [];
afterEach(async () => {
  await Promise.all(open.map((c) => c.close()));
  open = [];
});
const client = async (o: ClientOptions) => {
  const c = await createClient(o);
  open.push(c);
  return c;
};
const reload = async (c: Client, o: ClientOptions) => (await c.close(), (open = open.filter((x) => x !== c)), client(o));
const stored = async (namespace: string) => {
  const db = await openDB(`cohortkit:${namespace}`);
  const v = { caps: await db.get('meta', 'decide:caps'), localId: await db.get('meta', 'decide:localId') };
  db.close();
  return v;
};
const TINY = 0.000001; // a holdout that (practically) never holds out, but needs the local id
const fan = (slot: string, extra: object = {}) => ({ slot, variants: [{ segment: 'fan', value: 'A' }], fallback: 'F', ...extra });
const reasons = (ds: Array<{ reason: string }>) => ds.map((d) => d.reason).sort();

describe('decide(): concurrent calls and the cap', () => {
  const segments = [{ id: 'fan', description: 'fan', rule: { event: 'view' } }];

  it.each(['memory', 'indexeddb'] as const)('%s: the first decision (which makes the local id) and two concurrent ones return one variant under cap max 1', async (storage) => {
    const c = await client({ storage, namespace: ns(), segments });
    await c.consent.update({ personalization: true });
    await c.track('view');
    const req = fan('conc', { holdout: TINY, cap: { max: 1, per: '1d' } });
    expect(reasons(await Promise.all([c.decide(req), c.decide(req), c.decide(req)]))).toEqual(['capped', 'capped', 'segment']);
    expect((await c.decide(req)).reason).toBe('capped');
    // without a holdout too
    const plain = fan('plain', { cap: { max: 1, per: '1d' } });
    expect(reasons(await Promise.all([c.decide(plain), c.decide(plain), c.decide(plain)]))).toEqual(['capped', 'capped', 'segment']);
  });

  it('on a slot an experiment reads (an exposure recorded by each call): cap max 2, one call then four concurrent ones', async () => {
    const exp = defineExperiment({ id: 'hero', slot: 'hero', conversion: { event: 'purchase' } });
    const namespace = ns();
    const o = { namespace, segments: [...segments, ...exp.segments] };
    let c = await client(o);
    await c.consent.update({ personalization: true });
    await c.track('view');
    const req = fan('hero', { holdout: TINY, cap: { max: 2, per: '1d' } });
    expect((await c.decide(req)).reason).toBe('segment');
    expect(reasons(await Promise.all([c.decide(req), c.decide(req), c.decide(req), c.decide(req)]))).toEqual(['capped', 'capped', 'capped', 'segment']);
    // what was stored counts the two exposures, whatever order the writes landed in
    expect(Object.values((await stored(namespace)).caps)).toEqual([[expect.any(Number), expect.any(Number)]]);
    c = await reload(c, o);
    expect((await c.decide(req)).reason).toBe('capped');
  });
});

describe('decide(): what is stored relies on the purposes of the segments', () => {
  it('a site without a `personalization` purpose: caps and the holdout id kept across reloads, purged on withdrawal', async () => {
    const namespace = ns();
    const o = { namespace, purposes: ['content', 'measurement'], segments: [{ id: 'fan', description: 'fan', purposes: ['content'], rule: { event: 'view' } }] };
    let c = await client(o);
    await c.consent.update({ content: true });
    await c.track('view');
    const held = fan('h', { holdout: 0.5 });
    const capped = fan('c', { cap: { max: 1, per: '7d' } });
    const first = (await c.decide(held)).reason;
    expect((await c.decide(capped)).reason).toBe('segment');
    const id = (await c.exportData()).personalization!.localId;
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(await stored(namespace)).toEqual({ caps: { 'c|fan': [expect.any(Number)] }, localId: id });
    c = await reload(c, o);
    expect((await c.decide(capped)).reason).toBe('capped');
    expect((await c.decide(held)).reason).toBe(first);
    expect((await c.exportData()).personalization!.localId).toBe(id);
    // withdrawal: both gone before it resolves, and from this tab
    await c.consent.update({ content: false });
    expect(await stored(namespace)).toEqual({ caps: undefined, localId: undefined });
    expect((await c.exportData()).personalization).toEqual({ caps: {}, localId: undefined });
  });

  it('default purposes, a segment relying on `measurement` only, only that granted: kept across reloads, purged on its withdrawal', async () => {
    const namespace = ns();
    const o = { namespace, segments: [{ id: 'fan', description: 'fan', purposes: ['measurement'], rule: { event: 'view' } }] };
    let c = await client(o);
    await c.consent.update({ measurement: true });
    await c.track('view');
    const first = (await c.decide(fan('h', { holdout: 0.5 }))).reason;
    expect((await c.decide(fan('c', { cap: { max: 1, per: '1d' } }))).reason).toBe('segment');
    const before = await stored(namespace);
    expect(before).toEqual({ caps: { 'c|fan': [expect.any(Number)] }, localId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    c = await reload(c, o);
    expect((await c.decide(fan('c', { cap: { max: 1, per: '1d' } }))).reason).toBe('capped');
    expect((await c.decide(fan('h', { holdout: 0.5 }))).reason).toBe(first);
    expect(await stored(namespace)).toEqual(before);
    await c.consent.update({ measurement: false });
    expect(await stored(namespace)).toEqual({ caps: undefined, localId: undefined });
  });

  it('without consent nothing is stored: a context-only segment personalizes and counts its cap for the page only', async () => {
    const namespace = ns();
    const o = { namespace, purposes: ['content'], segments: [{ id: 'fan', description: 'any page', purposes: [], rule: { context: 'language' as const, in: [navigator.language] } }] };
    const c = await client(o);
    await c.consent.update({ content: true }); // granted, but no segment here relies on it
    const req = fan('c', { holdout: TINY, cap: { max: 1, per: '1d' } });
    expect((await c.decide(req)).reason).toBe('segment');
    expect((await c.decide(req)).reason).toBe('capped');
    expect(await stored(namespace)).toEqual({ caps: undefined, localId: undefined });
    // held for the page, so exported
    expect((await c.exportData()).personalization).toEqual({ caps: { 'c|fan': [expect.any(Number)] }, localId: expect.stringMatching(/^[0-9a-f]{32}$/) });
  });

  it('a withdrawal in another tab: this tab drops what it holds, and stores a fresh id when it buckets again', async () => {
    const namespace = ns();
    const o = { namespace, segments: [{ id: 'fan', description: 'fan', rule: { event: 'view' } }, { id: 'meas', description: 'meas', purposes: ['measurement'], rule: { event: 'view' } }] };
    const a = await client(o);
    await a.consent.update({ personalization: true, measurement: true });
    await a.track('view');
    await a.decide(fan('h', { holdout: 0.5 }));
    const id = (await stored(namespace)).localId;
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    const b = await client(o);
    const synced = new Promise((r) => a.on('consent', r));
    await b.consent.update({ measurement: false }); // a segment relies on it: the id is deleted
    expect((await stored(namespace)).localId).toBeUndefined();
    await synced;
    await a.decide(fan('h', { holdout: 0.5 }));
    const fresh = (await stored(namespace)).localId;
    expect(fresh).toMatch(/^[0-9a-f]{32}$/);
    expect(fresh).not.toBe(id);
    expect((await a.exportData()).personalization!.localId).toBe(fresh);
  });
});

describe('exportData(): the caps and the holdout id', () => {
  const segments = [{ id: 'fan', description: 'fan', rule: { event: 'view' } }];

  it('exported where decide() ran, and on a later page that never loads the add-on', async () => {
    const namespace = ns();
    let c = await client({ namespace, segments });
    await c.consent.update({ personalization: true });
    await c.track('view');
    await c.decide(fan('h', { holdout: 0.5 }));
    await c.decide(fan('promo-summer', { cap: { max: 3, per: '30d' } }));
    const { caps, localId } = await stored(namespace);
    const want = { caps: { 'promo-summer|fan': [expect.any(Number)] }, localId: expect.stringMatching(/^[0-9a-f]{32}$/) };
    expect(caps).toEqual(want.caps);
    expect((await c.exportData()).personalization).toEqual({ caps, localId });
    c = await reload(c, { namespace, segments });
    const before = loads.n;
    const exported = await c.exportData();
    expect(exported.personalization).toEqual({ caps, localId });
    expect(JSON.parse(JSON.stringify(exported)).personalization).toEqual({ caps, localId });
    expect(loads.n).toBe(before); // read from the store, the add-on not loaded for it
    // once loaded: what the page holds, a copy (changing it changes nothing held)
    await c.decide(fan('promo-summer', { cap: { max: 3, per: '30d' } }));
    const held = (await c.exportData()).personalization!;
    expect(held).toEqual({ caps: { 'promo-summer|fan': [expect.any(Number), expect.any(Number)] }, localId });
    held.caps['promo-summer|fan'].push(0);
    expect((await c.exportData()).personalization!.caps['promo-summer|fan']).toHaveLength(2);
  });

  it('nothing held: empty caps, no id', async () => {
    const c = await client({ storage: 'memory', segments });
    expect((await c.exportData()).personalization).toEqual({ caps: {}, localId: undefined });
  });
});
