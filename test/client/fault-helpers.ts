// Storage fault injection for unit tests (fake-indexeddb under happy-dom), and a watch that
// fails the test on anything reaching the "page": an unhandled rejection or an uncaught error.
import { openDB } from 'idb';
import { expect, vi } from 'vitest';

export type Fault = 'quota' | 'abort-writes' | 'abort-reads' | 'closed' | 'closed-once';

/**
 * Inject a storage fault into every IndexedDB connection until `restore()`:
 * - `quota`: `IDBObjectStore.put` throws QuotaExceededError synchronously;
 * - `abort-writes`: every put is made, then its transaction aborted (AbortError);
 * - `abort-reads`: every get/getAll is made, then its transaction aborted;
 * - `closed`: every transaction is started on a connection just closed (InvalidStateError);
 * - `closed-once`: the same, for the first transaction only.
 */
export function inject(fault: Fault): { restore(): void; hits(): number } {
  let hits = 0;
  const spies: Array<{ mockRestore(): void }> = [];
  const aborting = (method: 'put' | 'get' | 'getAll') => {
    const orig = IDBObjectStore.prototype[method] as (...a: unknown[]) => IDBRequest;
    spies.push(
      vi.spyOn(IDBObjectStore.prototype, method).mockImplementation(function (this: IDBObjectStore, ...a: unknown[]) {
        const req = orig.apply(this, a);
        hits++;
        this.transaction.abort();
        return req;
      } as never),
    );
  };
  if (fault === 'quota')
    spies.push(
      vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
        hits++;
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      }),
    );
  if (fault === 'abort-writes') aborting('put');
  if (fault === 'abort-reads') aborting('get'), aborting('getAll');
  if (fault === 'closed' || fault === 'closed-once') {
    const orig = IDBDatabase.prototype.transaction;
    const spy = vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementation(function (this: IDBDatabase, ...a: unknown[]) {
      if (fault === 'closed' || hits === 0) hits++, this.close();
      return (orig as (...x: unknown[]) => IDBTransaction).apply(this, a);
    } as never);
    spies.push(spy);
  }
  return { restore: () => spies.forEach((s) => s.mockRestore()), hits: () => hits };
}

/**
 * Record every unhandled rejection and uncaught error (Node's and the window's) from now on;
 * `check()` lets pending events fire, then fails the test if anything reached the page.
 */
export function watchPage() {
  const seen: string[] = [];
  const onRejection = (e: unknown) => void seen.push(`unhandledRejection: ${String((e as Error)?.stack ?? e)}`);
  const onException = (e: unknown) => void seen.push(`uncaughtException: ${String((e as Error)?.stack ?? e)}`);
  const onWindowError = (e: Event) => void seen.push(`window ${e.type}: ${String((e as ErrorEvent).message ?? (e as PromiseRejectionEvent).reason)}`);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  window.addEventListener('error', onWindowError);
  window.addEventListener('unhandledrejection', onWindowError);
  return {
    seen,
    async check() {
      // Unhandled rejections are reported after the microtask queue drains; IDB events come on macrotasks.
      for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 10));
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
      window.removeEventListener('error', onWindowError);
      window.removeEventListener('unhandledrejection', onWindowError);
      expect(seen, 'nothing may reach the page').toEqual([]);
    },
  };
}

/** Every record in every store of a client's database (read with a connection of our own). */
export async function dump(namespace: string): Promise<Record<string, unknown[]>> {
  const db = await openDB(`cohortkit:${namespace}`);
  const out: Record<string, unknown[]> = {};
  for (const name of db.objectStoreNames) out[name] = await db.getAll(name);
  db.close();
  return out;
}

/** A fetch that records every report it is sent and answers `status(n)` for the n-th request (1-based). */
export function collectorFetch(status: (n: number) => number = () => 202) {
  const requests: unknown[][] = [];
  const f = async (_url: string, init: RequestInit) => {
    const body = JSON.parse(String(init.body));
    requests.push(Array.isArray(body) ? body : [body]);
    return new Response('{}', { status: status(requests.length) });
  };
  return Object.assign(f, { requests, reports: () => requests.flat() as Array<{ id: string; space: string }> });
}
