// encryptAtRest against what else may be in the database: records it cannot open (a visit with
// encryptAtRest off, garbage, a sealed record moved to another key) and a keys record that is not
// the pair it makes (another algorithm, missing usages). Before: such records were skipped on
// read, so a withdrawal never saw them and left them on disk, readable; a foreign keys record
// made every consent.update reject a raw DOMException (AES-CBC) or lost every write (an AES-GCM
// key that cannot decrypt).
import { openDB } from 'idb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClient } from '../../src/index';
import type { ClientOptions } from '../../src/types';
import { dump, watchPage } from '../client/fault-helpers';

let n = 0;
const ns = () => `ench${Date.now().toString(36)}${n++}`;
const PURPOSES = ['xq_personal_purpose', 'xq_measure_purpose', 'measurement'];
const opts = (namespace: string, encryptAtRest = true): ClientOptions => ({
  namespace,
  encryptAtRest,
  purposes: PURPOSES.map((id) => ({ id })),
  segments: [{ id: 'xq_reader_seg', description: 'reads', rule: { event: 'xq_article_view', where: { topic: 'xq_sports_prop' } }, purposes: ['xq_personal_purpose'] }],
  cohorts: [{ id: 'xq_lifecycle_space', description: 'who', cohorts: [{ id: 'xq_readers_cohort', segment: 'xq_reader_seg' }], fallback: 'xq_other_fb' }],
  interests: [{ id: 'xq_hiking_interest', label: 'Hiking', purposes: ['xq_personal_purpose'] }],
  report: { endpoint: 'http://127.0.0.1:9/v1/reports' },
});
/** What a visit leaves about the visitor's behaviour (the ledger's purpose ids are not among them). */
const BEHAVIOUR = ['xq_article_view', 'xq_sports_prop', 'xq_reader_seg', 'xq_hiking_interest', 'xq_readers_cohort'];
const all = () => Object.fromEntries(PURPOSES.map((p) => [p, true]));
const none = () => Object.fromEntries(PURPOSES.map((p) => [p, false]));
const text = (d: unknown) =>
  JSON.stringify(d, (_k, v) => (v instanceof CryptoKey ? '[CryptoKey]' : v instanceof ArrayBuffer || ArrayBuffer.isView(v) ? '[bytes]' : v));
/** The stores that hold behaviour (the ledger is kept by design; meta holds the keys). */
const behaviourStores = async (namespace: string) => {
  const d = await dump(namespace);
  return { signals: d.signals, memberships: d.memberships, outbox: d.outbox };
};

async function visit(namespace: string, encrypt = true) {
  const c = await createClient(opts(namespace, encrypt));
  await c.consent.update(all());
  await c.track('xq_article_view', { topic: 'xq_sports_prop' });
  await c.interests.declare(['xq_hiking_interest']);
  await c.flush().catch(() => undefined); // offline: the report stays queued, its randomized value memoized
  return c;
}

let watch: ReturnType<typeof watchPage>;
const fetchOrig = globalThis.fetch;
beforeEach(() => {
  globalThis.fetch = (async () => { throw new TypeError('offline'); }) as never; // reports stay in the outbox
});
afterEach(async () => {
  globalThis.fetch = fetchOrig;
  await watch.check();
});

describe('encryptAtRest: records it cannot open are deleted, not left behind', () => {
  it('clear records a visit without encryption wrote into an encrypted database: a withdrawal leaves none', async () => {
    watch = watchPage();
    const namespace = ns();
    await (await visit(namespace)).close(); // the keys are made
    // What a page without encryptAtRest wrote there before such pages kept a keyed database
    // encrypted (an older cohortkit): a plain visit's records, copied in beside the sealed ones.
    const plain = ns();
    await (await visit(plain, false)).close();
    const from = await dump(plain);
    const into = await openDB(`cohortkit:${namespace}`);
    for (const store of ['signals', 'memberships', 'outbox'] as const) for (const r of from[store] ?? []) await into.put(store, r);
    const src = await openDB(`cohortkit:${plain}`);
    await into.put('meta', await src.get('meta', 'report:memo'), 'report:memo');
    src.close();
    into.close();
    expect(text(await behaviourStores(namespace))).toContain('xq_article_view'); // the check can fail
    const memo = async () => {
      const db = await openDB(`cohortkit:${namespace}`);
      return db.get('meta', 'report:memo').finally(() => db.close());
    };
    expect(await memo()).toBeDefined(); // the plain visit's memoized report, in clear under its own key
    const c = await createClient(opts(namespace));
    const errors: unknown[] = [];
    c.on('error', (e) => errors.push(e));
    await c.consent.update(none());
    const left = text(await behaviourStores(namespace));
    for (const s of BEHAVIOUR) expect(left, s).not.toContain(s);
    expect(await memo()).toBeUndefined();
    expect(errors.length).toBeLessThanOrEqual(1); // "failed to decrypt", once
    await c.close();
  });

  it('garbage and a sealed record moved to another key: deleted by the next write, the rest kept', async () => {
    watch = watchPage();
    const namespace = ns();
    await (await visit(namespace)).close();
    const db = await openDB(`cohortkit:${namespace}`);
    const [sig] = (await db.getAll('signals')) as Array<Record<string, unknown>>;
    await db.put('signals', { ...sig, key: 'moved' }); // sealed under another key: its additional data no longer matches
    await db.put('signals', { key: 'garbage', iv: 'x', ct: 7 });
    await db.put('signals', { key: 'clear', event: 'xq_article_view', props: { topic: 'xq_sports_prop' }, purposes: [] });
    await db.put('memberships', { id: 'foreign', version: 1 });
    db.close();
    const c = await createClient(opts(namespace));
    const errors: Array<{ code?: string }> = [];
    c.on('error', (e) => errors.push(e as never));
    expect((await c.segments()).map((m) => m.id)).toEqual(['xq_reader_seg']);
    await c.track('xq_article_view', { topic: 'xq_sports_prop' });
    const d = await dump(namespace);
    const keys = (d.signals as Array<{ key: string }>).map((r) => r.key).concat((d.memberships as Array<{ id: string }>).map((r) => r.id));
    for (const k of ['moved', 'garbage', 'clear', 'foreign']) expect(keys).not.toContain(k);
    expect(text(d)).not.toContain('xq_');
    // What it could open is all still there.
    expect((await c.segments()).map((m) => m.id)).toEqual(['xq_reader_seg']);
    expect((await c.exportData()).interests).toEqual(['xq_hiking_interest']);
    expect(errors.map((e) => e.code)).toEqual(['storage']);
    await c.close();
  });

  it('a page without encryptAtRest on an encrypted database keeps it encrypted: it reads the consent and segments, writes nothing in clear', async () => {
    watch = watchPage();
    const namespace = ns();
    await (await visit(namespace)).close();
    const c = await createClient(opts(namespace, false));
    // Before, such a page read nothing (consent back to unset, the banner asked again) and wrote in clear.
    expect(c.consent.get()).toMatchObject({ xq_personal_purpose: 'granted', xq_measure_purpose: 'granted' });
    expect((await c.segments()).map((m) => m.id)).toEqual(['xq_reader_seg']);
    expect(c.interests.get()).toEqual(['xq_hiking_interest']);
    await c.track('xq_article_view', { topic: 'xq_sports_prop' });
    await c.consent.update({ measurement: false });
    expect(await c.consent.verify()).toBe(true);
    await c.close();
    expect(text(await dump(namespace))).not.toContain('xq_');
    const again = await createClient(opts(namespace));
    expect(again.consent.get()).toMatchObject({ xq_personal_purpose: 'granted', measurement: 'denied' });
    expect(await again.consent.verify()).toBe(true);
    await again.close();
  });

  it('a plain database stays plain: a keys record that is not CryptoKeys does not turn encryption on', async () => {
    watch = watchPage();
    const namespace = ns();
    await (await visit(namespace, false)).close();
    const db = await openDB(`cohortkit:${namespace}`);
    await db.put('meta', { aes: 'x', hmac: 'y' }, 'cohortkit:keys');
    db.close();
    const c = await createClient(opts(namespace, false));
    expect(c.consent.get()).toMatchObject({ xq_personal_purpose: 'granted' }); // nothing wiped
    expect((await c.segments()).map((m) => m.id)).toEqual(['xq_reader_seg']);
    await c.close();
    expect(text(await dump(namespace))).toContain('xq_article_view');
  });

  it('a visit without encryption withdrawing leaves no sealed behaviour record either', async () => {
    watch = watchPage();
    const namespace = ns();
    const first = await visit(namespace);
    await first.flush().catch(() => undefined);
    await first.close();
    const sealed = (d: Record<string, unknown[] | undefined>) => Object.values(d).flat().filter((r) => (r as { ct?: unknown })?.ct !== undefined).length;
    expect(sealed(await behaviourStores(namespace))).toBeGreaterThan(0);
    const c = await createClient(opts(namespace, false));
    await c.consent.update(none());
    await c.close();
    expect(sealed(await behaviourStores(namespace))).toBe(0);
  });
});

describe('encryptAtRest: a keys record that is not its own pair is replaced', () => {
  const s = () => crypto.subtle;
  const hostile: Array<[string, () => Promise<unknown>]> = [
    ['an AES-CBC key', async () => ({ aes: await s().generateKey({ name: 'AES-CBC', length: 256 }, false, ['encrypt', 'decrypt']), hmac: await s().generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']) })],
    ['an AES-GCM key that cannot decrypt', async () => ({ aes: await s().generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt']), hmac: await s().generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']) })],
    ['an HMAC key that cannot sign', async () => ({ aes: await s().generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']), hmac: await s().generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['verify']) })],
    ['an HMAC SHA-1 key', async () => ({ aes: await s().generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']), hmac: await s().generateKey({ name: 'HMAC', hash: 'SHA-1' }, false, ['sign']) })],
    ['the keys swapped', async () => ({ hmac: await s().generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']), aes: await s().generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']) })],
    ['a string', async () => 'keys'],
  ];
  it.each(hostile)('%s: consent.update and track work, and what is stored survives a reload', async (_name, make) => {
    watch = watchPage();
    const namespace = ns();
    await (await visit(namespace)).close();
    const db = await openDB(`cohortkit:${namespace}`);
    await db.put('meta', await make(), 'cohortkit:keys');
    db.close();
    const c = await createClient(opts(namespace));
    const errors: unknown[] = [];
    c.on('error', (e) => errors.push(e));
    // The old records were sealed with the keys replaced: the client starts afresh, but it works.
    await expect(c.consent.update(all())).resolves.toMatchObject({ xq_personal_purpose: 'granted' });
    await expect(c.track('xq_article_view', { topic: 'xq_sports_prop' })).resolves.toMatchObject({ stored: true });
    await c.close();
    const again = await createClient(opts(namespace));
    expect(again.consent.get()).toMatchObject({ xq_personal_purpose: 'granted' });
    expect((await again.segments()).map((m) => m.id)).toEqual(['xq_reader_seg']);
    expect(await again.consent.verify()).toBe(true);
    await again.close();
    expect(errors).toEqual([]);
    expect(text(await dump(namespace))).not.toContain('xq_');
  });
});
