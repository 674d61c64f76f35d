// The CMP adapters are an add-on (a chunk of the ESM build, dist/cohortkit-interop.js for the
// script tag) holding `options.interop` validation, the adapters and the code that connects them.
import type { ConsentSource, ConsentState } from '../types';
import type { InteropOptions } from './interop-validate';
import { loadError, ownError } from '../client/addon-error';
import { loadAdapters, type InteropAdapters } from './load-adapters';

export { validateInterop, type InteropOptions } from './interop-validate';

export interface InteropEnv {
  update(choices: Record<string, boolean>, source: ConsentSource): void;
  onError(e: unknown): void;
  onConsent(listener: (s: ConsentState) => void): () => void;
  state(): ConsentState;
}
export type Connect = (env: InteropEnv) => Promise<() => void>;

/**
 * Starts loading the add-on when `options.interop` is set (the client calls this before opening
 * storage, so the two load in parallel); a site that configures none pays nothing for it.
 * `settle(onInvalid)` validates `interop` with it: an invalid one rejects with its `invalid-options`
 * message (after `onInvalid`). It resolves with `connect(env)`, which connects the configured
 * adapters, or rejects (`network`) when the add-on could not be loaded (the client emits that as
 * `error` and runs without them).
 */
export function prepareInterop(raw: unknown, purposes: string[]): { settle(onInvalid: () => void): Promise<Connect> } {
  const win = typeof window === 'undefined' ? undefined : (window as unknown as Record<string, unknown>);
  const none: Connect = async () => () => {};
  const ready: Promise<{ a: InteropAdapters; v: InteropOptions | undefined } | { invalid: unknown } | { failed: unknown } | { off: true }> =
    raw === undefined
      ? Promise.resolve({ off: true as const })
      : loadAdapters().then(
          (a) => {
            try {
              return { a, v: a.validateInterop(raw, purposes) };
            } catch (invalid) {
              return { invalid: ownError(invalid) };
            }
          },
          (e) => ({ failed: loadError(e, 'interop: the CMP adapters') }),
        );
  return {
    async settle(onInvalid) {
      const r = await ready;
      if ('invalid' in r) throw (onInvalid(), r.invalid);
      if ('off' in r) return none;
      if ('failed' in r) return () => Promise.reject(r.failed);
      const { a, v } = r;
      return !win || !v || (!v.tcf && !v.consentMode && !v.gpp) ? none : async (env) => a.connectAdapters(v, win, { ...env, onError: (e) => env.onError(ownError(e)) });
    },
  };
}
