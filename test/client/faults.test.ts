// Client faults (API.md v1.1): flush() never rejects because of storage, nothing reaches the page,
// reports that could not be stored stay in memory and are retried, a permanent 4xx drops only
// the reports of its own request. Real clients on fake-indexeddb, faults injected into IDB itself.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClient, isCohortkitError } from '../../src/index';
import type { Client, ClientOptions, CohortSpace, SegmentDefinition } from '../../src/types';
import { clock } from '../helpers';
import { collectorFetch, dump, inject, watchPage, type Fault } from './fault-helpers';

let n = 0;
const ns = () => `fault${Date.now().toString(36)}${n++}`;
const segments: SegmentDefinition[] = [
  { id: 'reader', description: 'reads', rule: { event: 'article_view' } },
  { id: 'buyer', description: 'buys', rule: { event: 'purchase' } },
];
const cohorts: CohortSpace[] = [
  { id: 'lifecycle', description: 'who', cohorts: [{ id: 'buyers', segment: 'buyer' }, { id: 'readers', segment: 'reader' }], fallback: 'others' },
  { id: 'interest', description: 'what', cohorts: [{ id: 'news', segment: 'reader' }], fallback: 'other' },
];
const options = (extra: Partial<ClientOptions> = {}): ClientOptions => ({
  namespace: ns(),
  now: clock(),
  segments,
  cohorts,
  report: { endpoint: 'https://collector.example/v1/reports' },
  ...extra,
});

let watch: ReturnType<typeof watchPage>;
let faults: Array<{ restore(): void }> = [];
const origFetch = globalThis.fetch;
let clients: Client[] = [];
beforeEach(() => {
  watch = watchPage();
});
// Every test here fails if anything reached the page: an unhandled rejection or an uncaught error.
afterEach(async () => {
  faults.forEach((f) => f.restore());
  faults = [];
  await Promise.all(clients.map((c) => c.close()));
  clients = [];
  await watch.check();
  globalThis.fetch = origFetch;
});
const fault = (f: Fault) => {
  const x = inject(f);
  faults.push(x);
  return x;
};

/** A client with both purposes granted, one stored signal, its errors collected, and a collector. */
async function setup(extra: Partial<ClientOptions> = {}, status?: (n: number) => number) {
  const collector = collectorFetch(status);
  globalThis.fetch = collector as never;
  const opts = options(extra);
  const c = await createClient(opts);
  clients.push(c);
  const errors: unknown[] = [];
  c.on('error', (e) => errors.push(e));
  await c.consent.update({ personalization: true, measurement: true }, { source: 'banner' });
  await c.track('purchase');
  return { c, opts, collector, errors };
}

const expectStorageErrors = (errors: unknown[]) => {
  expect(errors.length).toBeGreaterThan(0);
  for (const e of errors) {
    expect(isCohortkitError(e), String(e)).toBe(true);
    expect((e as { code: string }).code).toBe('storage');
    expect(e).not.toBeInstanceOf(DOMException);
  }
};
const outboxOf = async (namespace: string) => (await dump(namespace)).outbox as Array<{ id: string; sentAt?: number }>;

describe('flush() under storage faults', () => {
  it.each(['quota', 'abort-writes', 'abort-reads', 'closed'] as const)(
    '%s: resolves with what it could do, emits storage errors; once storage works, every report is stored and sent exactly once',
    async (kind) => {
      const { c, opts, collector, errors } = await setup();
      const f = fault(kind);
      const r = await c.flush();
      expect(f.hits()).toBeGreaterThan(0);
      expectStorageErrors(errors);
      // A draw that could not be stored is never sent: sent and lost with the page, it would
      // be drawn afresh on the next one (a second report of the epoch).
      expect(r.sent).toBe(0);
      expect(collector.requests).toHaveLength(0);
      // Writes failed: the drawn reports wait in memory. Reads failed: nothing could be drawn safely.
      expect(r.queued).toBe(kind === 'abort-reads' || kind === 'closed' ? 0 : 2);
      f.restore();
      expect(await c.flush()).toEqual({ sent: 2, queued: 0 });
      const sent = collector.reports();
      expect(sent.map((x) => x.space).sort()).toEqual(['interest', 'lifecycle']);
      const stored = await outboxOf(opts.namespace!);
      expect(stored.map((e) => e.id).sort()).toEqual(sent.map((x) => x.id).sort());
      expect(stored.every((e) => e.sentAt !== undefined)).toBe(true);
      expect(await c.flush()).toEqual({ sent: 0, queued: 0 }); // once per epoch: nothing more
      expect(collector.reports()).toHaveLength(2);
      },
  );

  it('closed once: the connection is reopened and the flush does everything', async () => {
    const { c, opts, collector } = await setup();
    const f = fault('closed-once');
    expect(await c.flush()).toEqual({ sent: 2, queued: 0 });
    expect(f.hits()).toBe(1);
    f.restore();
    expect(collector.reports()).toHaveLength(2);
    expect((await outboxOf(opts.namespace!)).filter((e) => e.sentAt)).toHaveLength(2);
  });

  it('stored reports, a fault while recording their delivery: sent once, recorded later, never re-sent', async () => {
    let down = true;
    const { c, opts, collector, errors } = await setup({}, () => (down ? 503 : 202));
    expect(await c.flush()).toEqual({ sent: 0, queued: 2 }); // stored, the collector is down
    expect((await outboxOf(opts.namespace!)).filter((e) => !e.sentAt)).toHaveLength(2);
    down = false;
    const f = fault('quota');
    expect(await c.flush()).toEqual({ sent: 2, queued: 0 });
    expectStorageErrors(errors);
    expect(await c.flush()).toEqual({ sent: 0, queued: 0 }); // delivery is remembered in memory
    expect(collector.requests).toHaveLength(2); // one failed, one delivered
    f.restore();
    expect((await outboxOf(opts.namespace!)).filter((e) => !e.sentAt)).toHaveLength(2); // not yet recorded
    expect(await c.flush()).toEqual({ sent: 0, queued: 0 });
    const stored = await outboxOf(opts.namespace!);
    expect(stored).toHaveLength(2);
    expect(stored.every((e) => e.sentAt !== undefined)).toBe(true);
    expect(collector.requests).toHaveLength(2);
  });

  it('without a flush: the automatic retry stores and sends what waited, once storage works again', async () => {
    const { c, opts, collector } = await setup();
    const f = fault('quota');
    expect(await c.flush()).toEqual({ sent: 0, queued: 2 });
    f.restore();
    for (let i = 0; i < 100 && collector.reports().length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    expect(collector.reports()).toHaveLength(2);
    const stored = await outboxOf(opts.namespace!);
    expect(stored.map((e) => e.id).sort()).toEqual(collector.reports().map((x) => x.id).sort());
    void c;
  });

  it('a page closed while reports waited in memory: the next page draws once and sends each space once', async () => {
    const { c, opts, collector } = await setup();
    const f = fault('quota');
    expect(await c.flush()).toEqual({ sent: 0, queued: 2 });
    await c.close();
    f.restore();
    const again = await createClient(opts);
    clients.push(again);
    expect(again.consent.get()).toEqual({ personalization: 'granted', measurement: 'granted' });
    expect((await again.flush()).queued).toBe(0); // (sent by the pass the new client starts with, or by this flush)
    expect(collector.reports().map((x) => x.space).sort()).toEqual(['interest', 'lifecycle']);
    expect(await outboxOf(opts.namespace!)).toHaveLength(2);
  });

  it('withdrawing measurement drops the reports waiting in memory too: counted in the receipt, never stored or sent', async () => {
    const { c, opts, collector } = await setup();
    const f = fault('quota');
    expect(await c.flush()).toEqual({ sent: 0, queued: 2 });
    f.restore();
    await c.consent.update({ measurement: false });
    const receipt = (await c.consent.history()).at(-1)!;
    expect(receipt).toMatchObject({ purpose: 'measurement', granted: false, purged: { reports: 2 } });
    expect(await c.flush()).toEqual({ sent: 0, queued: 0 });
    await new Promise((r) => setTimeout(r, 2500)); // past any automatic retry
    expect(collector.requests).toHaveLength(0);
    expect(await outboxOf(opts.namespace!)).toEqual([]);
    expect((await c.exportData()).reports).toEqual({ queued: [], sent: [] });
  });

  it('malformed outbox records (written by another script) block nothing and are never sent', async () => {
    const { c, opts, collector } = await setup();
    const { openDB } = await import('idb');
    const db = await openDB(`cohortkit:${opts.namespace}`);
    for (const junk of [{ id: 'j1' }, { id: 'j2', purposes: 'measurement', report: { v: 1 } }, { id: 'j3', purposes: [], report: null, nextAt: 0 }])
      await db.put('outbox', junk as never);
    db.close();
    expect(await c.flush()).toEqual({ sent: 2, queued: 0 });
    expect(collector.reports().map((r) => r.space).sort()).toEqual(['interest', 'lifecycle']);
  });

  it('forget() while reports wait in memory: nothing of them is ever written to the new database', async () => {
    const { c, opts, collector } = await setup();
    const f = fault('quota');
    expect(await c.flush()).toEqual({ sent: 0, queued: 2 });
    f.restore();
    await c.forget();
    await c.consent.update({ personalization: true }); // writes again: the database is recreated
    expect(await c.flush()).toEqual({ sent: 0, queued: 0 });
    await new Promise((r) => setTimeout(r, 2500)); // past any automatic retry
    const after = await dump(opts.namespace!);
    expect(after.outbox).toEqual([]);
    expect((after.meta as unknown[]).length).toBeLessThanOrEqual(2); // consent bookkeeping only, no memo, no accounting
    expect(JSON.stringify(after.meta)).not.toMatch(/lifecycle|interest/);
    expect(collector.requests).toHaveLength(0);
  });

  it('forget() in another tab while reports wait in memory here: this tab writes none of them', async () => {
    const { c, opts, collector } = await setup();
    const f = fault('quota');
    expect(await c.flush()).toEqual({ sent: 0, queued: 2 });
    f.restore();
    const other = await createClient({ namespace: opts.namespace, segments, now: clock() }); // a tab that does not report
    clients.push(other);
    const reset = new Promise((r) => c.on('consent', r));
    await other.forget();
    await reset;
    await new Promise((r) => setTimeout(r, 50));
    expect(await c.flush()).toEqual({ sent: 0, queued: 0 });
    await other.consent.update({ personalization: true }); // the other tab writes: the database exists again
    await new Promise((r) => setTimeout(r, 2500));
    const after = await dump(opts.namespace!);
    expect(after.outbox).toEqual([]);
    expect(JSON.stringify(after.meta)).not.toMatch(/lifecycle|interest/);
    expect(collector.requests).toHaveLength(0);
  });

  it('another tab reports the epoch while this one holds drafts: once storage works, no second report of the epoch', async () => {
    const { c, opts, collector } = await setup();
    const f = fault('quota');
    expect(await c.flush()).toEqual({ sent: 0, queued: 2 });
    f.restore();
    const other = await createClient({ ...opts, now: clock() }); // draws, stores and sends at its start
    clients.push(other);
    expect((await other.flush()).queued).toBe(0);
    expect(collector.reports()).toHaveLength(2);
    expect(await c.flush()).toEqual({ sent: 0, queued: 0 }); // the drafts were dropped, nothing drawn again
    await new Promise((r) => setTimeout(r, 2500)); // past any automatic retry
    expect(collector.reports().map((r) => r.space).sort()).toEqual(['interest', 'lifecycle']);
    expect(await outboxOf(opts.namespace!)).toHaveLength(2);
  });

  it('malformed signals and memberships (written by another script): the client stays on IndexedDB, ignores them, and a withdrawal purges them', async () => {
    const opts = options();
    const c = await createClient(opts);
    await c.consent.update({ personalization: true });
    await c.track('purchase');
    await c.close();
    const { openDB } = await import('idb');
    const db = await openDB(`cohortkit:${opts.namespace}`);
    await db.put('signals', { key: 'junk1', event: 'purchase', purposes: ['personalization'], expiresAt: 1e15 } as never); // no times, no counts
    await db.put('signals', { key: 'junk2', event: 'purchase' } as never); // no purposes
    await db.put('signals', { key: `purchase|${Math.floor(clock()() / 86_400_000)}|{}`, event: 'purchase', purposes: 7 } as never); // our own key, junk
    await db.put('memberships', { id: 'buyer' } as never);
    await db.put('memberships', { id: 'reader', version: 'x', since: 0, purposes: ['personalization'] } as never);
    db.close();
    const again = await createClient(opts);
    clients.push(again);
    const errors: unknown[] = [];
    again.on('error', (e) => errors.push(e));
    expect(again.storage).toBe('indexeddb');
    expect(await again.track('purchase')).toEqual({ stored: true, reason: 'stored' });
    expect((await again.segments()).map((m) => m.id)).toEqual(['buyer']);
    expect((await again.explain('reader')).member).toBe(false);
    await again.consent.update({ personalization: false });
    const after = await dump(opts.namespace!);
    // Withdrawal takes everything that relied on personalization, and the records without purposes.
    expect((after.signals as Array<{ key: string }>).map((s) => s.key)).toEqual([]);
    expect(after.memberships).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('malformed ledger records: the client stays on IndexedDB, the state holds only declared purposes, verify() is false', async () => {
    // Records past the stored head: the ledger no longer ends at it, so nothing in it is believed
    // (every purpose back to unset, as a policy change; test/consent/integrity.test.ts).
    const opts = options();
    const c = await createClient(opts);
    await c.consent.update({ personalization: true });
    await c.close();
    const { openDB } = await import('idb');
    const db = await openDB(`cohortkit:${opts.namespace}`);
    await db.put('ledger', { seq: 98, purpose: 'constructor', granted: true, source: 'api' } as never);
    await db.put('ledger', { seq: 99 } as never);
    db.close();
    const again = await createClient(opts);
    clients.push(again);
    expect(again.storage).toBe('indexeddb');
    expect(again.consent.get()).toEqual({ personalization: 'unset', measurement: 'unset' });
    expect(await again.consent.verify()).toBe(false);
  });

  it('exportData shows the reports waiting in memory as queued', async () => {
    const { c } = await setup();
    const f = fault('quota');
    await c.flush();
    f.restore();
    const { reports } = await c.exportData();
    expect(reports.queued.map((r) => r.space).sort()).toEqual(['interest', 'lifecycle']);
  });
});

describe('other calls under storage faults', () => {
  const ALL = ['quota', 'abort-writes', 'abort-reads', 'closed'] as const;

  it.each(['quota', 'abort-writes', 'closed'] as const)('%s: decide() still resolves the variant (caps and holdout id kept in memory) and emits storage errors', async (kind) => {
    const { c, errors } = await setup();
    const f = fault(kind);
    const req = { slot: 'hero', variants: [{ segment: 'buyer', value: 'b' }], fallback: 'f', cap: { max: 2, per: '1d' as const }, holdout: 0.5 };
    const first = await c.decide(req);
    expect(['segment', 'holdout']).toContain(first.reason);
    expect(first.segment).toBe('buyer');
    if (first.reason === 'segment') {
      // The cap counts in memory although its write was refused: the third decision is capped.
      expect((await c.decide(req)).reason).toBe('segment');
      expect((await c.decide(req)).reason).toBe('capped');
    }
    await new Promise((r) => setTimeout(r, 0));
    expectStorageErrors(errors);
    f.restore();
  });

  it.each(ALL)('%s: track, consent.update, decide, segments and explain settle, any rejection a CohortkitError storage', async (kind) => {
    const { c, errors } = await setup();
    const f = fault(kind);
    const settled = await Promise.allSettled([
      c.track('article_view'),
      c.consent.update({ personalization: false }),
      c.decide({ slot: 'hero', variants: [{ segment: 'buyer', value: 'b' }], fallback: 'f', cap: { max: 3, per: '1d' }, holdout: 0.5 }),
      c.segments(),
      c.explain('buyer'),
    ]);
    for (const s of settled) {
      if (s.status === 'fulfilled') continue;
      expect(isCohortkitError(s.reason), String(s.reason)).toBe(true);
      expect(s.reason.code).toBe('storage');
      expect(s.reason).not.toBeInstanceOf(DOMException);
    }
    // A write that failed changed nothing that was stored: the ledger still verifies.
    f.restore();
    expect(await c.consent.verify()).toBe(true);
    for (const e of errors) expect(isCohortkitError(e)).toBe(true);
  });

  it.each(['quota', 'abort-writes'] as const)('%s: a failed track or consent change loses nothing already stored, and works once the fault clears', async (kind) => {
    const { c, opts } = await setup();
    const before = await dump(opts.namespace!);
    const f = fault(kind);
    const t = await c.track('article_view').catch((e) => e);
    expect(isCohortkitError(t) && t.code).toBe('storage');
    const u = await c.consent.update({ personalization: false }).catch((e) => e);
    expect(isCohortkitError(u) && u.code).toBe('storage');
    f.restore();
    const after = await dump(opts.namespace!);
    expect(after.signals).toEqual(before.signals);
    expect(after.ledger).toEqual(before.ledger);
    // The withdrawal could not be recorded, yet this page stops using the purpose at once.
    expect(c.consent.get().personalization).toBe('denied');
    expect(await c.track('article_view')).toEqual({ stored: false, reason: 'no-consent' });
    // Retried once storage works: recorded, with its purge receipt.
    await c.consent.update({ personalization: false });
    expect((await c.consent.history()).at(-1)).toMatchObject({ purpose: 'personalization', granted: false, purged: { signals: 1 } });
    expect((await dump(opts.namespace!)).signals).toEqual([]);
    await c.consent.update({ personalization: true });
    expect(await c.track('article_view')).toEqual({ stored: true, reason: 'stored' });
    expect(await c.consent.verify()).toBe(true);
  });

  it('the signal stored, its membership refused: track resolves stored, the membership is written by the next reconcile', async () => {
    const opts = options();
    const c = await createClient(opts);
    clients.push(c);
    const errors: unknown[] = [];
    const events: unknown[] = [];
    c.on('error', (e) => errors.push(e));
    c.on('segments', (m) => events.push(m));
    await c.consent.update({ personalization: true });
    const orig = IDBObjectStore.prototype.put;
    const spy = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...a: unknown[]) {
      if (this.name === 'memberships') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return (orig as (...x: unknown[]) => IDBRequest).apply(this, a);
    } as never);
    faults.push({ restore: () => spy.mockRestore() });
    expect(await c.track('purchase')).toEqual({ stored: true, reason: 'stored' });
    expectStorageErrors(errors);
    expect(events).toEqual([]); // no membership was recorded, so none is announced
    expect((await dump(opts.namespace!)).signals).toHaveLength(1);
    spy.mockRestore();
    expect((await c.segments()).map((m) => m.id)).toEqual(['buyer']);
    expect((await dump(opts.namespace!)).memberships).toMatchObject([{ id: 'buyer' }]);
    expect(events).toHaveLength(1);
  });

  it('a fault while the client starts: createClient resolves (from memory if need be), nothing reaches the page', async () => {
    const opts = options();
    const first = await createClient(opts);
    await first.consent.update({ measurement: true });
    await first.close();
    const f = fault('abort-reads');
    const errors: unknown[] = [];
    const c = await createClient(opts);
    clients.push(c);
    c.on('error', (e) => errors.push(e));
    f.restore();
    await new Promise((r) => setTimeout(r, 0));
    expectStorageErrors(errors);
    expect(typeof (await c.flush()).queued).toBe('number');
  });
  it('a read of the personalization state that fails (on the first decide(), which loads it): the decision stands, the error is reported, the client works', async () => {
    const orig = IDBObjectStore.prototype.get;
    let hits = 0;
    const spy = vi.spyOn(IDBObjectStore.prototype, 'get').mockImplementation(function (this: IDBObjectStore, key: IDBValidKey) {
      const req = orig.call(this, key);
      if (key === 'decide:caps') hits++, this.transaction.abort();
      return req;
    } as never);
    faults.push({ restore: () => spy.mockRestore() });
    const c = await createClient(options());
    clients.push(c);
    const errors: unknown[] = [];
    c.on('error', (e) => errors.push(e));
    await new Promise((r) => setTimeout(r, 0));
    expect(hits).toBe(0); // not read at start any more
    expect(await c.decide({ slot: 'hero', variants: [], fallback: 'f' })).toEqual({ value: 'f', reason: 'no-match' });
    expect(hits).toBe(1);
    expectStorageErrors(errors);
    await c.consent.update({ personalization: true });
    expect(await c.track('purchase')).toEqual({ stored: true, reason: 'stored' });
    expect((await c.decide({ slot: 'hero', variants: [], fallback: 'f' })).value).toBe('f');
    expect(hits).toBe(1); // read once
  });
});

describe('a permanent 4xx drops only the reports of its own request', () => {
  // OUE reports of k = 40000 are ~6.8 KB each: ten of them need two requests (chunks under 60 KiB).
  const big = Array.from({ length: 40000 }, (_, i) => ({ id: `c${i}`, segment: i % 2 ? 'reader' : 'buyer' }));
  const spaces: CohortSpace[] = Array.from({ length: 10 }, (_, i) => ({ id: `s${i}`, description: 'big', cohorts: big, fallback: 'none' }));
  const bigOptions = { cohorts: spaces, report: { endpoint: 'https://collector.example/v1/reports', mechanism: 'oue' as const } };

  it.each([
    ['the first request refused', 1],
    ['the second request refused', 2],
  ])('%s: the other request is delivered, the refused reports are dropped, nothing is retried', async (_, refused) => {
    const { c, opts, collector } = await setup(bigOptions, (k) => (k === refused ? 400 : 202));
    const r = await c.flush();
    expect(collector.requests).toHaveLength(2);
    const [first, second] = collector.requests;
    const delivered = refused === 1 ? second! : first!;
    const dropped = refused === 1 ? first! : second!;
    expect(first!.length + second!.length).toBe(10);
    expect(r).toEqual({ sent: delivered.length, queued: 0 });
    const stored = await outboxOf(opts.namespace!);
    const ids = (xs: unknown[]) => (xs as Array<{ id: string }>).map((x) => x.id).sort();
    expect(ids(stored)).toEqual(ids(delivered)); // the refused ones are gone, the delivered kept as sent
    expect(stored.every((e) => e.sentAt !== undefined)).toBe(true);
    expect(ids(dropped).some((id) => ids(stored).includes(id))).toBe(false);
    expect(await c.flush()).toEqual({ sent: 0, queued: 0 });
    expect(collector.requests).toHaveLength(2); // nothing re-sent
  });
});
