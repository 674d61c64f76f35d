import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClient, isCohortkitError } from '../../src/index';
import { freshClient, clock } from '../helpers';

const setGPC = (v: boolean | undefined) =>
  Object.defineProperty(navigator, 'globalPrivacyControl', { value: v, configurable: true });

afterEach(() => setGPC(undefined));

describe('consent', () => {
  it('starts with every declared purpose unset', async () => {
    const c = await freshClient({ purposes: ['personalization', 'measurement', { id: 'ads', retentionDays: 7 }] });
    expect(c.consent.get()).toEqual({ personalization: 'unset', measurement: 'unset', ads: 'unset' });
    expect(await c.consent.history()).toEqual([]);
    expect(await c.consent.verify()).toBe(true);
  });

  it('records one ledger record per changed purpose, none for re-setting the same value', async () => {
    const now = clock();
    const c = await freshClient({ now, policyVersion: 'v1' });
    expect(await c.consent.update({ measurement: true, personalization: false }, { source: 'banner' })).toEqual({
      measurement: 'granted',
      personalization: 'denied',
    });
    await c.consent.update({ measurement: true });
    const h = await c.consent.history();
    expect(h).toHaveLength(2);
    expect(h[0]).toMatchObject({ seq: 1, purpose: 'measurement', granted: true, source: 'banner', policyVersion: 'v1', at: now() });
    expect(h[1]).toMatchObject({ seq: 2, purpose: 'personalization', granted: false, source: 'banner' });
    expect(await c.consent.verify()).toBe(true);
  });

  it('defaults the source to api', async () => {
    const c = await freshClient();
    await c.consent.update({ measurement: true });
    expect((await c.consent.history())[0]!.source).toBe('api');
  });

  it.each([
    [{ nope: true }, undefined, 'choices.nope'],
    [{ measurement: 'yes' }, undefined, 'choices.measurement'],
    [{ measurement: 1 }, undefined, 'choices.measurement'],
    [null, undefined, 'choices'],
    [[true], undefined, 'choices'],
    [{ measurement: true }, { source: 'cmp' }, 'meta.source'],
    [{ measurement: true }, { source: 'policy-change' }, 'meta.source'],
    [{ measurement: true }, { sauce: 'api' }, 'meta.sauce'],
    [{ measurement: true }, 'banner', 'meta'],
  ])('rejects update(%j, %j) with invalid-argument naming %s', async (choices, meta, path) => {
    const c = await freshClient();
    const err = await c.consent.update(choices as never, meta as never).catch((e) => e);
    expect(isCohortkitError(err)).toBe(true);
    expect(err.code).toBe('invalid-argument');
    expect(err.message.startsWith(path)).toBe(true);
    expect(await c.consent.history()).toEqual([]);
  });

  it('survives a new client on the same namespace (restored from IndexedDB)', async () => {
    const a = await freshClient({ namespace: 'restore1' });
    await a.consent.update({ measurement: true, personalization: true });
    await a.close();
    const b = await createClient({ namespace: 'restore1' });
    expect(b.consent.get()).toEqual({ measurement: 'granted', personalization: 'granted' });
    expect(await b.consent.verify()).toBe(true);
  });

  it('a new policyVersion resets every purpose to unset with policy-change records', async () => {
    const a = await createClient({ namespace: 'policy1', policyVersion: 'v1' });
    await a.consent.update({ measurement: true, personalization: false });
    await a.close();
    const same = await createClient({ namespace: 'policy1', policyVersion: 'v1' });
    expect(same.consent.get().measurement).toBe('granted');
    await same.close();
    const b = await createClient({ namespace: 'policy1', policyVersion: 'v2' });
    expect(b.consent.get()).toEqual({ measurement: 'unset', personalization: 'unset' });
    const h = await b.consent.history();
    expect(h.slice(2).map((r) => [r.purpose, r.granted, r.source, r.policyVersion])).toEqual([
      ['personalization', false, 'policy-change', 'v2'],
      ['measurement', false, 'policy-change', 'v2'],
    ]);
    expect(h[3]!.purged).toEqual({ signals: 0, memberships: 0, reports: 0 });
    expect(await b.consent.verify()).toBe(true);
  });

  it('a first visit with a policyVersion records nothing', async () => {
    const c = await freshClient({ policyVersion: 'v7' });
    expect(await c.consent.history()).toEqual([]);
  });

  describe('GPC', () => {
    it('denies measurement with source gpc', async () => {
      setGPC(true);
      const c = await freshClient();
      expect(c.consent.get().measurement).toBe('denied');
      expect((await c.consent.history()).map((r) => [r.purpose, r.granted, r.source])).toEqual([['measurement', false, 'gpc']]);
    });

    it('is ignored with respectGPC: false', async () => {
      setGPC(true);
      const c = await freshClient({ respectGPC: false });
      expect(c.consent.get().measurement).toBe('unset');
    });

    it('a grant from api, tcf or consent-mode leaves it denied; banner or preference-center wins', async () => {
      setGPC(true);
      const c = await freshClient({ namespace: 'gpc-order' });
      for (const source of ['api', 'tcf', 'consent-mode'] as const) {
        expect((await c.consent.update({ measurement: true }, { source })).measurement).toBe('denied');
      }
      expect((await c.consent.update({ measurement: true }, { source: 'preference-center' })).measurement).toBe('granted');
      await c.close();
      // The visitor's explicit choice survives the next page load with GPC still on.
      const again = await createClient({ namespace: 'gpc-order' });
      expect(again.consent.get().measurement).toBe('granted');
      expect((await again.consent.history()).filter((r) => r.source === 'gpc')).toHaveLength(1);
    });

    it('does not touch personalization', async () => {
      setGPC(true);
      const c = await freshClient();
      expect((await c.consent.update({ personalization: true })).personalization).toBe('granted');
    });
  });

  describe('adapter sources record only changes of their own value', () => {
    it('a stale CMP re-announcement does not undo a later withdrawal', async () => {
      const c = await freshClient();
      await c.consent.update({ measurement: true }, { source: 'tcf' });
      await c.consent.update({ measurement: false }, { source: 'preference-center' });
      // page load: the CMP announces its unchanged state again
      await c.consent.update({ measurement: true }, { source: 'tcf' });
      expect(c.consent.get().measurement).toBe('denied');
      // a real change at the CMP is recorded
      await c.consent.update({ measurement: false }, { source: 'tcf' });
      await c.consent.update({ measurement: true }, { source: 'tcf' });
      expect(c.consent.get().measurement).toBe('granted');
      expect((await c.consent.history()).map((r) => r.source)).toEqual(['tcf', 'preference-center', 'tcf']);
    });

    it('the first value seen from a source counts as a change', async () => {
      const c = await freshClient();
      await c.consent.update({ personalization: true }, { source: 'consent-mode' });
      expect(c.consent.get().personalization).toBe('granted');
    });
  });

  it('emits consent events and isolates a throwing listener', async () => {
    const c = await freshClient();
    const seen: unknown[] = [];
    const errors: unknown[] = [];
    c.on('consent', () => {
      throw new Error('boom');
    });
    const off = c.on('consent', (s) => seen.push(s));
    c.on('error', (e) => errors.push(e));
    await c.consent.update({ measurement: true });
    off();
    await c.consent.update({ measurement: false });
    expect(seen).toEqual([{ personalization: 'unset', measurement: 'granted' }]);
    expect(errors).toHaveLength(2);
    expect(isCohortkitError(errors[0])).toBe(true);
  });

  it('forget() deletes everything, the ledger included, and leaves every purpose unset', async () => {
    const c = await freshClient({ namespace: 'forget1' });
    await c.consent.update({ measurement: true, personalization: true });
    await c.forget();
    expect(c.consent.get()).toEqual({ personalization: 'unset', measurement: 'unset' });
    expect(await c.consent.history()).toEqual([]);
    const dbs = await indexedDB.databases();
    expect(dbs.map((d) => d.name)).not.toContain('cohortkit:forget1');
    // still usable afterwards
    await c.consent.update({ measurement: true });
    expect(await c.consent.verify()).toBe(true);
  });

  it('exportData() holds the consent state and history', async () => {
    const c = await freshClient();
    await c.consent.update({ measurement: true });
    const x = await c.exportData();
    expect(x.consent.state).toEqual(c.consent.get());
    expect(x.consent.history).toHaveLength(1);
    expect(JSON.parse(JSON.stringify(x))).toEqual(x);
  });

  it('verify() is false after a record is edited in IndexedDB', async () => {
    const c = await freshClient({ namespace: 'tamper1' });
    await c.consent.update({ measurement: true, personalization: true });
    const { openDB } = await import('idb');
    const db = await openDB('cohortkit:tamper1');
    const rec = await db.get('ledger', 1);
    await db.put('ledger', { ...rec, granted: false });
    db.close();
    expect(await c.consent.verify()).toBe(false);
  });

  it('a change in one client reaches another of the same namespace (BroadcastChannel)', async () => {
    const a = await createClient({ namespace: 'tabs1' });
    const b = await createClient({ namespace: 'tabs1' });
    const got = new Promise((r) => b.on('consent', r));
    await a.consent.update({ personalization: true });
    expect(await got).toEqual({ personalization: 'granted', measurement: 'unset' });
    expect(b.consent.get().personalization).toBe('granted');
  });
});

describe('storage fallback', () => {
  it('falls back to memory when IndexedDB throws on open, and reports an error event', async () => {
    const spy = vi.spyOn(indexedDB, 'open').mockImplementation(() => {
      throw new DOMException('blocked by policy', 'SecurityError');
    });
    try {
      const c = await freshClient();
      expect(c.storage).toBe('memory');
      await c.consent.update({ measurement: true });
      expect(c.consent.get().measurement).toBe('granted');
      expect(await c.consent.verify()).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });

  it('uses memory when IndexedDB is missing', async () => {
    const idb = globalThis.indexedDB;
    // @ts-expect-error simulate a browser without IndexedDB
    delete globalThis.indexedDB;
    try {
      const c = await freshClient();
      expect(c.storage).toBe('memory');
    } finally {
      globalThis.indexedDB = idb;
    }
  });

  it("storage: 'memory' never touches IndexedDB", async () => {
    const spy = vi.spyOn(indexedDB, 'open');
    const c = await freshClient({ storage: 'memory' });
    await c.consent.update({ measurement: true });
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });
});
