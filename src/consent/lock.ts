/**
 * Run `fn` exclusively: across tabs with Web Locks where the browser has them, and always
 * in order within this page (so one tab's queue keeps its order).
 */
export function createLock(name: string): Lock {
  let chain: Promise<unknown> = Promise.resolve();
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  const lock = <T>(fn: () => Promise<T>): Promise<T> => {
    lock.queued++;
    const run = chain.then(() => (locks ? (locks.request(name, fn) as Promise<T>) : fn()));
    chain = run.catch(() => undefined);
    return run;
  };
  lock.queued = 0;
  /** In this page's order only (no Web Lock): for writes that detect other tabs' themselves (a compared stamp). */
  lock.local = <T>(fn: () => Promise<T>): Promise<T> => {
    lock.queued++;
    const run = chain.then(fn);
    chain = run.catch(() => undefined);
    return run;
  };
  return lock;
}

/** An exclusive section; `queued` counts the sections ever queued (a batch still open knows whether anything queued after it). */
export type Lock = (<T>(fn: () => Promise<T>) => Promise<T>) & { queued: number; local?: <T>(fn: () => Promise<T>) => Promise<T> };
