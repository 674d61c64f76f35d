// Without Web Locks (Node, test DOMs), every lock of one name in this realm queues on one chain:
// two clients of a namespace in one page stand in for two tabs and must exclude each other too.
const chains = new Map<string, { c: Promise<unknown> }>();

/**
 * Run `fn` exclusively: across tabs with Web Locks where the browser has them, and always
 * in order within this page (so one tab's queue keeps its order).
 */
export function createLock(name: string): Lock {
  let locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  const q = locks ? { c: Promise.resolve() as Promise<unknown> } : chains.get(name) ?? chains.set(name, { c: Promise.resolve() }).get(name)!;
  const queue = <T>(fn: () => Promise<T>): Promise<T> => {
    lock.queued++;
    const run = q.c.then(fn);
    q.c = run.catch(() => undefined);
    return run;
  };
  // Where Web Locks exist but are denied (an opaque origin: a sandboxed iframe, whose storage is
  // in memory anyway), the section runs in this page's order only, from then on.
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    let ran = false;
    const denied = (e: unknown) => {
      if (ran || (e as { name?: unknown })?.name !== 'SecurityError') throw e;
      locks = undefined;
      return fn();
    };
    try {
      return locks ? (locks.request(name, () => ((ran = true), fn())) as Promise<T>).catch(denied) : fn();
    } catch (e) {
      return denied(e);
    }
  };
  const lock = <T>(fn: () => Promise<T>): Promise<T> => queue(() => exclusive(fn));
  lock.queued = 0;
  /** In this page's order only (no Web Lock): for writes that detect other tabs' themselves (a compared stamp). */
  lock.local = queue;
  return lock;
}

/** An exclusive section; `queued` counts the sections ever queued (a batch still open knows whether anything queued after it). */
export type Lock = (<T>(fn: () => Promise<T>) => Promise<T>) & { queued: number; local?: <T>(fn: () => Promise<T>) => Promise<T> };
