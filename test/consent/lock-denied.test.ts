// Web Locks that exist but are denied: in an opaque origin (a sandboxed iframe, where IndexedDB is
// refused too) every `navigator.locks.request` rejects with SecurityError. The client must still
// start (from memory) instead of failing `createClient`; other lock errors still fail the section.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClient } from '../../src';
import { createLock } from '../../src/consent/lock';

const denied = () => new DOMException('Access to the Locks API is denied in this context.', 'SecurityError');
function installLocks(request: (name: string, fn: () => Promise<unknown>) => Promise<unknown>) {
  const spy = vi.fn(request);
  Object.defineProperty(navigator, 'locks', { configurable: true, value: { request: spy } });
  return spy;
}
afterEach(() => void delete (navigator as { locks?: unknown }).locks);

describe('Web Locks denied (SecurityError)', () => {
  it('the section runs without the lock, in order, and the locks are not asked again', async () => {
    const request = installLocks(() => Promise.reject(denied()));
    const lock = createLock('ck-denied-1');
    const order: number[] = [];
    const a = lock(async () => (await Promise.resolve(), order.push(1), 'a'));
    const b = lock(async () => (order.push(2), 'b'));
    expect(await Promise.all([a, b])).toEqual(['a', 'b']);
    expect(order).toEqual([1, 2]);
    expect(request).toHaveBeenCalledTimes(1);
  });

  it('a request that throws SecurityError synchronously: the same', async () => {
    installLocks(() => {
      throw denied();
    });
    expect(await createLock('ck-denied-2')(async () => 42)).toBe(42);
  });

  it("the section's own SecurityError, and other lock errors, still reject (nothing runs twice)", async () => {
    installLocks((_n, fn) => fn());
    const fn = vi.fn(async () => {
      throw denied();
    });
    await expect(createLock('ck-denied-3')(fn)).rejects.toMatchObject({ name: 'SecurityError' });
    expect(fn).toHaveBeenCalledTimes(1);
    installLocks(() => Promise.reject(new DOMException('not active', 'InvalidStateError')));
    const never = vi.fn(async () => 1);
    await expect(createLock('ck-denied-4')(never)).rejects.toMatchObject({ name: 'InvalidStateError' });
    expect(never).not.toHaveBeenCalled();
  });

  it('createClient starts, consent and track work, withdrawal purges (as in a sandboxed iframe)', async () => {
    installLocks(() => Promise.reject(denied()));
    const errors: unknown[] = [];
    const c = await createClient({
      storage: 'memory',
      namespace: 'denied-locks',
      segments: [{ id: 'fan', description: 'reads', rule: { event: 'article_view' } }],
    });
    c.on('error', (e) => errors.push(e));
    await c.consent.update({ personalization: true });
    expect(await c.track('article_view')).toEqual({ stored: true, reason: 'stored' });
    expect((await c.segments()).map((m) => m.id)).toEqual(['fan']);
    await c.consent.update({ personalization: false });
    expect(await c.segments()).toEqual([]);
    expect((await c.exportData()).signals).toEqual([]);
    expect(await c.consent.verify()).toBe(true);
    expect(errors).toEqual([]);
    await c.close();
  });
});
