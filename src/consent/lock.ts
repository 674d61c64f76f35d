/**
 * Run `fn` exclusively: across tabs with Web Locks where the browser has them, and always
 * in order within this page (so one tab's queue keeps its order).
 */
export function createLock(name: string): <T>(fn: () => Promise<T>) => Promise<T> {
  let chain: Promise<unknown> = Promise.resolve();
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(() => (locks ? (locks.request(name, fn) as Promise<T>) : fn()));
    chain = run.catch(() => undefined);
    return run;
  };
}
