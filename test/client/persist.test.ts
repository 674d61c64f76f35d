// persistStorage: navigator.storage.persist() only on request, never awaited, never reaching the
// page; exportData().persistence says what came of it. navigator.storage is stubbed per test.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClient, isCohortkitError } from '../../src/index';
import type { ClientOptions } from '../../src/types';
import { watchPage } from './fault-helpers';

let n = 0;
const opts = (extra: Partial<ClientOptions> = {}): ClientOptions => ({ namespace: `persist${Date.now().toString(36)}${n++}`, ...extra });
const original = Object.getOwnPropertyDescriptor(navigator, 'storage');
const setStorage = (desc: PropertyDescriptor) => Object.defineProperty(navigator, 'storage', { configurable: true, ...desc });

/** A StorageManager whose persist() answers `answer` (or never, or throws) and counts its calls. */
function fakeStorage(answer: boolean | 'never' | 'reject' | 'throw' | 'reject-later', persisted = false) {
  const calls = { persist: 0, persisted: 0 };
  const manager = {
    persisted() {
      calls.persisted++;
      return Promise.resolve(persisted);
    },
    persist(this: unknown) {
      if (this !== manager) throw new TypeError('Illegal invocation'); // as a detached call would in a browser
      calls.persist++;
      if (answer === 'never') return new Promise<boolean>(() => {});
      if (answer === 'throw') throw new Error('sync boom');
      if (answer === 'reject') return Promise.reject(new DOMException('nope', 'NotAllowedError'));
      if (answer === 'reject-later') return new Promise<boolean>((_, r) => setTimeout(() => r(new Error('late boom')), 30));
      persisted = answer;
      return Promise.resolve(answer);
    },
  };
  setStorage({ value: manager });
  return calls;
}

let watch: ReturnType<typeof watchPage>;
beforeEach(() => {
  watch = watchPage();
});
afterEach(async () => {
  await watch.check();
  if (original) Object.defineProperty(navigator, 'storage', original);
  else delete (navigator as { storage?: unknown }).storage;
});

describe('persistStorage', () => {
  it('is off by default: persist() is never called (Firefox would prompt); the export still says best-effort', async () => {
    const calls = fakeStorage(true);
    const c = await createClient(opts());
    const e = await c.exportData();
    expect(e.persistence).toBe('best-effort');
    expect(calls.persist).toBe(0);
    await c.close();
  });

  it('asks once IndexedDB is open, as a method of navigator.storage, and reports persisted', async () => {
    const calls = fakeStorage(true);
    const c = await createClient(opts({ persistStorage: true }));
    expect(c.storage).toBe('indexeddb');
    await new Promise((r) => setTimeout(r, 0));
    expect(calls.persist).toBe(1);
    expect((await c.exportData()).persistence).toBe('persisted');
    await c.close();
  });

  it('a refusal leaves best-effort storage', async () => {
    fakeStorage(false);
    const c = await createClient(opts({ persistStorage: true }));
    await new Promise((r) => setTimeout(r, 0));
    expect((await c.exportData()).persistence).toBe('best-effort');
    await c.close();
  });

  it('does not ask again when the origin is already persisted', async () => {
    const calls = fakeStorage(true, true);
    const c = await createClient(opts({ persistStorage: true }));
    await new Promise((r) => setTimeout(r, 0));
    expect(calls.persist).toBe(0);
    expect((await c.exportData()).persistence).toBe('persisted');
    await c.close();
  });

  it('an unanswered prompt never blocks createClient: the export says pending', async () => {
    const calls = fakeStorage('never');
    const c = await createClient(opts({ persistStorage: true }));
    await c.consent.update({ measurement: true });
    expect(calls.persist).toBe(1);
    expect((await c.exportData()).persistence).toBe('pending');
    await c.close();
  });

  it.each(['reject', 'throw'] as const)('a persist() that %ss reaches neither the page nor createClient', async (how) => {
    fakeStorage(how);
    const c = await createClient(opts({ persistStorage: true }));
    await new Promise((r) => setTimeout(r, 0));
    expect((await c.exportData()).persistence).toBe('best-effort');
    await c.close();
  });

  it('a later failure is emitted as a storage error', async () => {
    fakeStorage('reject-later');
    const c = await createClient(opts({ persistStorage: true }));
    const errors: unknown[] = [];
    c.on('error', (e) => errors.push(e));
    await new Promise((r) => setTimeout(r, 60));
    expect(errors).toHaveLength(1);
    expect(isCohortkitError(errors[0]) && errors[0].code).toBe('storage');
    expect(String((errors[0] as Error).message)).toMatch(/navigator\.storage\.persist\(\) failed: Error: late boom/);
    await c.close();
  });

  it('without a Storage API (WebKitGTK) or with a hostile navigator.storage: unavailable, no throw', async () => {
    setStorage({ value: undefined });
    const a = await createClient(opts({ persistStorage: true }));
    expect((await a.exportData()).persistence).toBe('unavailable');
    await a.close();
    setStorage({
      get() {
        throw new Error('hostile getter');
      },
    });
    const b = await createClient(opts({ persistStorage: true }));
    expect((await b.exportData()).persistence).toBe('unavailable');
    await b.close();
    setStorage({ value: { persist: 'yes', persisted: 42 } });
    const c = await createClient(opts({ persistStorage: true }));
    expect((await c.exportData()).persistence).toBe('unavailable');
    await c.close();
  });

  it('a persisted() that never answers cannot hang exportData', async () => {
    setStorage({ value: { persisted: () => new Promise(() => {}), persist: () => Promise.resolve(true) } });
    const c = await createClient(opts());
    expect((await c.exportData()).persistence).toBe('unavailable');
    await c.close();
  }, 5000);

  it('a memory client never asks and reports unavailable', async () => {
    const calls = fakeStorage(true);
    const c = await createClient(opts({ persistStorage: true, storage: 'memory' }));
    await new Promise((r) => setTimeout(r, 0));
    expect(calls.persist + calls.persisted).toBe(0);
    expect((await c.exportData()).persistence).toBe('unavailable');
    await c.close();
  });

  it.each([['yes'], [1], [null], [{}]])('rejects persistStorage: %j naming the option', async (v) => {
    await expect(createClient(opts({ persistStorage: v as never }))).rejects.toMatchObject({
      code: 'invalid-options',
      message: 'persistStorage: expected a boolean',
    });
  });
});
