// connectInterop through a real client: a CMP that answers while the adapters connect (in the
// same call, as a loaded CMP may) is recorded like one that answers later, with its source, once.
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../../src/index';

const w = window as unknown as Record<string, unknown>;
afterEach(() => {
  delete w.__tcfapi;
  delete w.__gpp;
});
const settle = () => new Promise((r) => setTimeout(r, 20));
/** Waits (bounded) until `ok()`; the recording goes through the ledger's hashing, slower under load. */
const until = async (ok: () => boolean | Promise<boolean>) => {
  for (let i = 0; i < 200 && !(await ok()); i++) await settle();
};
const history = async (c: Awaited<ReturnType<typeof createClient>>) => (await c.consent.history()).map((r) => [r.purpose, r.granted, r.source]);

describe('connectInterop with a real client', () => {
  it('a TCF CMP that calls back synchronously inside addEventListener is recorded (source tcf), and only once', async () => {
    const consents: Record<number, boolean> = { 1: true, 3: true, 4: true };
    let listener: ((tc: unknown, ok: boolean) => void) | undefined;
    const tc = (eventStatus: string) => ({ gdprApplies: true, eventStatus, listenerId: 7, purpose: { consents } });
    w.__tcfapi = (cmd: string, _v: number, cb: (tc: unknown, ok: boolean) => void) => {
      if (cmd === 'addEventListener') cb(tc('tcloaded'), true), (listener = cb);
    };
    const c = await createClient({ storage: 'memory', interop: { tcf: { map: { personalization: [1, 3, 4], measurement: [1, 7] } } } });
    const errors: unknown[] = [];
    c.on('error', (e) => errors.push(e));
    await until(async () => c.consent.get().measurement !== 'unset' && (await history(c)).length === 2);
    expect(c.consent.get()).toEqual({ personalization: 'granted', measurement: 'denied' });
    listener!(tc('useractioncomplete'), true); // the same state again
    await settle();
    expect((await history(c)).sort()).toEqual([
      ['measurement', false, 'tcf'],
      ['personalization', true, 'tcf'],
    ]);
    expect(errors).toEqual([]);
    await c.close();
  });

  it('a GPP CMP answering synchronously is recorded (source gpp); a client closed before it lands records nothing', async () => {
    w.__gpp = (cmd: string, cb: (e: unknown, ok: boolean) => void) => {
      if (cmd === 'addEventListener')
        cb({ listenerId: 1, pingData: { signalStatus: 'ready', applicableSections: [7], parsedSections: { usnat: { SaleOptOut: 1 } } } }, true);
    };
    const interop = { gpp: { map: { measurement: ['usnat.SaleOptOut'] } } };
    const a = await createClient({ storage: 'memory', namespace: 'gpp-a', interop });
    // The state changes in memory first; the ledger record lands when the (unawaited) update is written.
    await until(async () => a.consent.get().measurement !== 'unset' && (await history(a)).length > 0);
    expect(await history(a)).toEqual([['measurement', false, 'gpp']]);
    await a.close();
    const b = await createClient({ storage: 'memory', namespace: 'gpp-b', interop });
    await b.close(); // before the deferred choice is delivered
    const errors: unknown[] = [];
    b.on('error', (e) => errors.push(e));
    await settle();
    expect(b.consent.get()).toEqual({ personalization: 'unset', measurement: 'unset' });
    expect(errors).toEqual([]);
  });

  it.each([
    ['queueMicrotask', (f: () => void) => queueMicrotask(f)],
    ['Promise.then', (f: () => void) => void Promise.resolve().then(f)],
  ])('a TCF CMP that calls back in a microtask (%s) while the client is being created is recorded, with no error', async (_, later) => {
    w.__tcfapi = (cmd: string, _v: number, cb: (tc: unknown, ok: boolean) => void) => {
      if (cmd === 'addEventListener') later(() => cb({ gdprApplies: true, eventStatus: 'tcloaded', listenerId: 1, purpose: { consents: { 1: true, 7: true } } }, true));
    };
    const errors: unknown[] = [];
    const c = await createClient({ storage: 'memory', interop: { tcf: { map: { measurement: [1, 7] } } } });
    c.on('error', (e) => errors.push(e));
    await until(async () => (await history(c)).length === 1);
    expect(await history(c)).toEqual([['measurement', true, 'tcf']]);
    expect(c.consent.get().measurement).toBe('granted');
    expect(errors).toEqual([]);
    await c.close();
  });
});
