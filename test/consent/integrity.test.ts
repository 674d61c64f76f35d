// The ledger as a stored record another script (or a corrupted disk) can change: a ledger that
// no longer ends at its head is never believed and never healed; clients of one namespace in one
// realm without Web Locks (two clients standing in for two tabs) never lose a record.
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/index';
import { readConsentMode } from '../../src/consent/adapters';

let n = 0;
const ns = () => `integrity-${Date.now().toString(36)}-${n++}`;
const rows = async (name: string, store: string) => {
  const db = await openDB(`cohortkit:${name}`);
  const all = await db.getAll(store);
  db.close();
  return all;
};

describe('a ledger cut short', () => {
  it('is not believed at the next start (every purpose unset, data purged) and stays detectably broken', async () => {
    const name = ns();
    const segments = [{ id: 'fans', description: 'd', rule: { event: 'view' } }];
    const c = await createClient({ namespace: name, segments });
    await c.consent.update({ measurement: true, personalization: true });
    await c.track('view');
    await c.consent.update({ measurement: false });
    await c.close();
    // Another script deletes the last record: the withdrawal of measurement.
    const db = await openDB(`cohortkit:${name}`);
    await db.delete('ledger', 3);
    db.close();

    const c2 = await createClient({ namespace: name, segments });
    // The withdrawal is not undone: nothing is believed.
    expect(c2.consent.get()).toEqual({ personalization: 'unset', measurement: 'unset' });
    expect(await rows(name, 'signals')).toEqual([]);
    expect(await rows(name, 'memberships')).toEqual([]);
    const h = await c2.consent.history();
    // The reset chains onto the head (seq 4, 5), so the gap at 3 stays visible.
    expect(h.map((r) => [r.seq, r.purpose, r.granted, r.source])).toEqual([
      [1, 'measurement', true, 'api'],
      [2, 'personalization', true, 'api'],
      [4, 'personalization', false, 'policy-change'],
      [5, 'measurement', false, 'policy-change'],
    ]);
    expect(h[2]!.purged).toEqual({ signals: 1, memberships: 1, reports: 0 });
    expect(await c2.consent.verify()).toBe(false);
    // A later choice works, and never heals the chain.
    await c2.consent.update({ personalization: true });
    expect(c2.consent.get().personalization).toBe('granted');
    expect((await c2.consent.history()).at(-1)).toMatchObject({ seq: 6, prevHash: h[3]!.hash });
    expect(await c2.consent.verify()).toBe(false);
    await c2.close();
  });

  it('an intact ledger is believed as before (no reset record)', async () => {
    const name = ns();
    const c = await createClient({ namespace: name });
    await c.consent.update({ measurement: true });
    await c.close();
    const c2 = await createClient({ namespace: name });
    expect(c2.consent.get()).toEqual({ personalization: 'unset', measurement: 'granted' });
    expect((await c2.consent.history()).length).toBe(1);
    expect(await c2.consent.verify()).toBe(true);
    await c2.close();
  });

  it('with encryptAtRest, a last record that no longer decrypts counts as cut off', async () => {
    const name = ns();
    const c = await createClient({ namespace: name, encryptAtRest: true });
    await c.consent.update({ measurement: true });
    await c.consent.update({ measurement: false });
    await c.close();
    // Flip one byte of the last record's ciphertext (the layer keeps records by seq, as `{ ct, … }`).
    const db = await openDB(`cohortkit:${name}`);
    const rec = await db.get('ledger', 2);
    const ct = new Uint8Array(rec.ct.slice(0));
    ct[0]! ^= 1;
    await db.put('ledger', { ...rec, ct: ct.buffer });
    db.close();
    const c2 = await createClient({ namespace: name, encryptAtRest: true });
    c2.on('error', () => {});
    expect(c2.consent.get().measurement).toBe('unset');
    expect(await c2.consent.verify()).toBe(false);
    await c2.consent.update({ measurement: true });
    expect(await c2.consent.verify()).toBe(false);
    await c2.close();
  });
});

describe('two clients of one namespace in one realm, without Web Locks', () => {
  it('keep every ledger record of concurrent updates, and each ends with the last choice', async () => {
    expect((navigator as { locks?: unknown }).locks).toBeFalsy();
    const name = ns();
    const a = await createClient({ namespace: name });
    const b = await createClient({ namespace: name });
    await Promise.all([
      a.consent.update({ personalization: true }),
      b.consent.update({ measurement: true }),
      a.consent.update({ personalization: false }),
      b.consent.update({ measurement: false }),
    ]);
    const h = await a.consent.history();
    expect(h.map((r) => [r.seq, r.purpose, r.granted])).toEqual([
      [1, 'personalization', true],
      [2, 'measurement', true],
      [3, 'personalization', false],
      [4, 'measurement', false],
    ]);
    expect(await a.consent.verify()).toBe(true);
    const c = await createClient({ namespace: name });
    expect(c.consent.get()).toEqual({ personalization: 'denied', measurement: 'denied' });
    await Promise.all([a.close(), b.close(), c.close()]);
  });
});

describe('Consent Mode', () => {
  it('reads only a command object’s own keys (an inherited analytics_storage is ignored)', () => {
    const win: { dataLayer: unknown[] } = { dataLayer: [] };
    const seen: Array<Record<string, boolean>> = [];
    const stop = readConsentMode(win, (c) => seen.push(c));
    const args = (...a: unknown[]) => (function (..._: unknown[]) { return arguments; })(...a);
    win.dataLayer.push(args('consent', 'update', Object.create({ analytics_storage: 'granted' })));
    win.dataLayer.push(args('consent', 'update', { analytics_storage: 'denied' }));
    stop();
    expect(seen.at(-1)).toEqual({ measurement: false });
    expect(seen.some((c) => c.measurement === true)).toBe(false);
  });
});

describe('a consent platform that fails', () => {
  it('is reported as code interop naming its adapter, grants nothing and never reaches the page', async () => {
    const w = window as unknown as Record<string, unknown>;
    w.__tcfapi = (cmd: string, _v: number, cb: (tc: unknown, ok: boolean) => void) => {
      if (cmd === 'addEventListener') setTimeout(() => cb({ gdprApplies: true, eventStatus: 'tcloaded', listenerId: 1, get purpose() { throw new Error('purpose getter'); } }, true));
    };
    try {
      const c = await createClient({ storage: 'memory', interop: { tcf: { map: { measurement: [1] } } } });
      const errors: Array<{ code?: string; message?: string }> = [];
      c.on('error', (e) => errors.push(e as never));
      for (let i = 0; i < 100 && !errors.length; i++) await new Promise((r) => setTimeout(r, 10));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ code: 'interop', message: expect.stringMatching(/^interop\.tcf: the CMP failed \(Error: purpose getter\)/) });
      expect(c.consent.get().measurement).toBe('unset');
      await c.close();
    } finally {
      delete w.__tcfapi;
    }
  });
});
