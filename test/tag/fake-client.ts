import type { Client, ClientOptions, DecideRequest, Decision } from '../../src/types';

const emitters = new WeakMap<object, (event: string, detail: unknown) => void>();
/** Fires `event` to the listeners added with `client.on` (a fakeClient's). The fake, like the real Client, has no `emit`. */
export const fire = (client: object, event: string, detail: unknown) => emitters.get(client)!(event, detail);

/** A fake Client recording every call as [method, ...args]; the Client surface (no `emit`), with the real one's hidden error channel. */
export function fakeClient(decide?: (req: DecideRequest) => Decision | Promise<Decision>) {
  const calls: unknown[][] = [];
  const listeners: Record<string, Array<(d: unknown) => void>> = {};
  const client = {
    storage: 'memory' as const,
    calls,
    consent: {
      get: () => ({}),
      update: async (choices: Record<string, boolean>, meta?: unknown) => {
        calls.push(['consent', choices, meta]);
        const out: Record<string, 'granted' | 'denied'> = {};
        for (const k in choices) out[k] = choices[k] ? 'granted' : 'denied';
        return out;
      },
      history: async () => [],
      verify: async () => true,
    },
    track: async (event: string, props?: unknown) => {
      calls.push(['track', event, props]);
      return { stored: true, reason: 'stored' as const };
    },
    decide: async (req: DecideRequest) => {
      calls.push(['decide', req]);
      return decide ? decide(req) : { value: req.fallback, reason: 'no-match' as const };
    },
    segments: async () => [],
    interests: { get: () => [], list: () => [], declare: async () => ({ stored: false, reason: 'no-consent' as const }) },
    explain: async () => {
      throw new Error('unused');
    },
    flush: async () => ({ sent: 0, queued: 0 }),
    exportData: async () => {
      throw new Error('unused');
    },
    forget: async () => {},
    on(event: string, l: (d: unknown) => void) {
      (listeners[event] ??= []).push(l);
      return () => void listeners[event].splice(listeners[event].indexOf(l) >>> 0, 1);
    },
    close: async () => {},
    catalog: () => [],
    purposes: [],
  };
  emitters.set(client, (event, detail) => listeners[event]?.forEach((l) => l(detail)));
  // As the real Client's (src/client/surface.ts): delivers to the 'error' listeners, false when there are none.
  Object.assign(client, { [Symbol.for('cohortkit.emit')]: (e: unknown) => (listeners.error?.forEach((l) => l(e)), !!listeners.error?.length) });
  return client as Client & { calls: unknown[][] };
}

/** A createClient factory that resolves when `release()` is called (or at once if `immediate`). */
export function deferredFactory(client: Client, immediate = false) {
  const inits: ClientOptions[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  if (immediate) release();
  const create = async (o: ClientOptions) => {
    inits.push(o);
    await gate;
    return client;
  };
  return { create, inits, release };
}

export const tick = () => new Promise((r) => setTimeout(r, 0));
