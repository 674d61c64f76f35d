// Stored records of the wrong shape (written by another script) are ignored, never fatal: the
// client stays on IndexedDB, so a withdrawal and forget() still purge the database.
import { describe, expect, it } from 'vitest';
import { openDB } from 'idb';
import { createClient } from '../../src/index';
import { watchPage } from './fault-helpers';

let n = 0;
const ns = () => `ffr${Date.now().toString(36)}-${n++}`;
const segments = [
  { id: 'buyer', description: 'd', rule: { event: 'purchase' } },
  { id: 'reader', description: 'd', rule: { event: 'view' } },
];

/** A granted page that tracked one purchase, then `tamper` on its database. */
async function tampered(tamper: (v: Record<string, unknown>) => Record<string, unknown>) {
  const namespace = ns();
  const c = await createClient({ namespace, segments });
  await c.consent.update({ personalization: true });
  await c.track('purchase');
  await c.close();
  const db = await openDB(`cohortkit:${namespace}`);
  const [v] = await db.getAll('signals');
  await db.put('signals', tamper(v));
  db.close();
  return namespace;
}

const keys = async (namespace: string, store: 'signals' | 'memberships') => {
  const db = await openDB(`cohortkit:${namespace}`);
  const out = await db.getAllKeys(store);
  db.close();
  return out;
};

describe('tampered stored signals', () => {
  it('one with 200,000 times: the client stays on IndexedDB, ignores it, and a withdrawal purges it', async () => {
    const page = watchPage();
    const namespace = await tampered((v) => ({ ...v, key: 'other', event: 'view', times: Array(200_000).fill((v.times as number[])[0]), count: 200_000 }));
    const errors: unknown[] = [];
    const c = await createClient({ namespace, segments });
    c.on('error', (e) => errors.push(e));
    expect(c.storage).toBe('indexeddb');
    expect(c.consent.get().personalization).toBe('granted');
    expect((await c.segments()).map((m) => m.id)).toEqual(['buyer']);
    expect((await c.exportData()).signals.map((s) => (s as { event: string }).event)).toEqual(['purchase']);
    await c.consent.update({ personalization: false });
    expect(await keys(namespace, 'signals')).toEqual([]);
    expect(await keys(namespace, 'memberships')).toEqual([]);
    await c.close();
    expect(errors).toEqual([]);
    await page.check();
  });

  it('one with more than MAX_TIMES (64) times is ignored', async () => {
    const namespace = await tampered((v) => ({ ...v, key: 'other', event: 'view', times: Array(65).fill((v.times as number[])[0]), count: 65 }));
    const c = await createClient({ namespace, segments });
    expect((await c.segments()).map((m) => m.id)).toEqual(['buyer']);
    expect((await c.explain('reader')).member).toBe(false);
    await c.close();
  });

  it('one relying on no purpose (`purposes: []`) is ignored: it never makes a member', async () => {
    const namespace = await tampered((v) => ({ ...v, key: 'other', event: 'view', purposes: [] }));
    const c = await createClient({ namespace, segments });
    expect(c.storage).toBe('indexeddb');
    expect((await c.segments()).map((m) => m.id)).toEqual(['buyer']);
    expect((await c.exportData()).signals.map((s) => (s as { event: string }).event)).toEqual(['purchase']);
    await c.consent.update({ personalization: false });
    // Withdrawn: nothing it relied on is left, and the tampered record counts for nothing.
    expect(await c.segments()).toEqual([]);
    expect((await c.explain('reader')).member).toBe(false);
    await c.forget();
    await c.close();
  });

  it('a membership relying on no purpose is ignored: the segment is re-evaluated and stored anew', async () => {
    const namespace = ns();
    const c = await createClient({ namespace, segments });
    await c.consent.update({ personalization: true });
    await c.track('view');
    await c.close();
    const db = await openDB(`cohortkit:${namespace}`);
    await db.put('memberships', { id: 'reader', version: 1, since: 0, purposes: [] });
    db.close();
    const again = await createClient({ namespace, segments });
    const [m] = await again.segments();
    expect([m.id, m.since > 0]).toEqual(['reader', true]);
    const d = await openDB(`cohortkit:${namespace}`);
    expect((await d.get('memberships', 'reader')).purposes).toEqual(['personalization']);
    d.close();
    await again.close();
  });
});
