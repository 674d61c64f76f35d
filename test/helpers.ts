import { createClient } from '../src/index';
import type { ClientOptions } from '../src/types';

let n = 0;
/** A client on a fresh IndexedDB namespace (fake-indexeddb under happy-dom). */
export function freshClient(options: ClientOptions = {}) {
  return createClient({ namespace: `t${Date.now().toString(36)}-${n++}`, ...options });
}

/** A controllable clock. */
export function clock(start = Date.UTC(2026, 0, 5, 12)) {
  let t = start;
  const now = () => t;
  now.advance = (ms: number) => (t += ms);
  now.set = (ms: number) => (t = ms);
  return now;
}

/**
 * Installs a `navigator.locks` that serializes sections per name (as Web Locks do across tabs;
 * happy-dom has none). `held` shows which names were taken; `restore()` removes it.
 */
export function installSerialLocks() {
  const held = new Map<string, Promise<unknown>>();
  const locks = {
    request: (name: string, fn: () => Promise<unknown>) => {
      const run = (held.get(name) ?? Promise.resolve()).then(fn);
      held.set(name, run.catch(() => undefined));
      return run;
    },
  };
  Object.defineProperty(navigator, 'locks', { configurable: true, value: locks });
  return { held, restore: () => void delete (navigator as { locks?: unknown }).locks };
}
