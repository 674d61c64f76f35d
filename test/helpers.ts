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
