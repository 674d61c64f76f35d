// The one interface every engine adapter implements, so a cross-engine test is written once.
export type EngineName = 'chromium' | 'firefox' | 'webkit';
export const ENGINE_NAMES: readonly EngineName[] = ['chromium', 'firefox', 'webkit'];

export interface WaitOptions {
  /** ms before waitFor rejects; default 10 000 */
  timeout?: number;
}

/** A tab. Functions passed to evaluate/waitFor are serialized: they must not close over test variables. */
export interface EnginePage {
  goto(url: string): Promise<void>;
  /** Runs `fn(arg)` in the page and awaits its (JSON-serializable) result. */
  evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R>;
  /** Polls `fn(arg)` in the page until it returns a truthy value. */
  waitFor<A = undefined>(fn: (arg: A) => unknown, arg?: A, opts?: WaitOptions): Promise<void>;
  reload(): Promise<void>;
  close(): Promise<void>;
}

export interface Engine {
  readonly name: EngineName;
  /** A new tab in the same profile (same origin storage, BroadcastChannel, Web Locks). */
  newPage(): Promise<EnginePage>;
  /**
   * Uncaught errors, unhandled rejections, console errors and CSP violations seen in every page
   * of this engine since the last call (the list is drained): from the engine's own events where
   * it has them, and from the probe script (`PROBE`) that cross-engine pages load first.
   */
  errors(): Promise<string[]>;
  close(): Promise<void>;
}

/** Loaded first by every cross-engine page (a file, so it runs under script-src 'self'). */
export const PROBE = '/test/e2e/engines/probe.js';

/** Polls `check` until it is truthy, or rejects naming `what` after `timeout` ms. */
export async function poll(check: () => Promise<unknown>, what: string, timeout = 10_000): Promise<void> {
  const end = Date.now() + timeout;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`waitFor timed out after ${timeout} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `(fn)(arg)` as a script body: the same serialization for every engine. */
export const callSource = (fn: (arg: never) => unknown) => `(${fn.toString()})`;
