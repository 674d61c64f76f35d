// Add-on files for the script-tag bundle: parts that only some sites configure (the CMP adapters,
// private reporting, encryption at rest) live in their own IIFE next to dist/cohortkit.iife.js and are loaded from that directory on
// demand. Same origin as the bundle, so `script-src 'self'` allows them; no eval, no inline script.
import { CohortkitError } from '../errors';
import { VERSION } from '../version';

/** The bundle's own URL, captured while it runs (`document.currentScript` is null afterwards). */
const own = typeof document == 'object' ? (document.currentScript as HTMLScriptElement | null) : null;
const loads = new Map<string, Promise<unknown>>();

/**
 * Under Trusted Types (`require-trusted-types-for 'script'`) a script's `src` must be a
 * TrustedScriptURL: made by the policy `cohortkit` (the site lists it in `trusted-types`), which
 * passes only the add-on URL this loader is assigning at that moment (anything else becomes '',
 * which loads nothing). Created on the first load; where the site does not allow it (or there are
 * no Trusted Types) URLs stay strings: under enforcement the assignment is then refused.
 */
let policy: { createScriptURL(url: string): string } | null | undefined;
let assigning: string | undefined;
const scriptURL = (href: string): string => {
  if (policy === undefined)
    try {
      const tt = (window as { trustedTypes?: { createPolicy(name: string, rules: object): typeof policy } }).trustedTypes;
      policy = tt?.createPolicy('cohortkit', { createScriptURL: (u: string) => (u === assigning ? u : '') }) ?? null;
    } catch {
      policy = null; // not allowed by the site's trusted-types directive (or a second copy of the bundle)
    }
  assigning = href;
  const url = policy ? policy.createScriptURL(href) : href;
  assigning = undefined;
  return url;
};

/** How long a load may take before it fails (a hung request must not hold `createClient`). */
export const ADDON_TIMEOUT_MS = 10_000;

/**
 * Loads `file` from the directory of the script that ran this bundle (or `base`) and resolves with
 * the global it defines. Loaded once per file; a global already present (the page included the
 * add-on itself) is used as is when it is of the bundle's release (its `version`). Copies the
 * bundle's CSP nonce. Rejects (never throws) with `CohortkitError` `network` when the file cannot
 * be loaded, does not define `global` with the function `needs` (a page's own variable of that
 * name is not used), or is of another release (an add-on left from an earlier deploy: its seam
 * may differ).
 * @param file e.g. `cohortkit-interop.js`
 * @param global the name the add-on defines on `window`, e.g. `CohortkitInterop`
 * @param needs a function the add-on must define, e.g. `connectAdapters`
 * @param base defaults to the bundle's `src`
 */
export function loadAddon<T>(file: string, global: string, needs: string, base: string | undefined = own?.src): Promise<T> {
  const win = window as unknown as Record<string, unknown>;
  // The add-on's release ('' if it names none) when it defines `needs`; a hostile getter or value reads as absent.
  const release = (): string | undefined => {
    try {
      const g = win[global] as Record<string, unknown>;
      return typeof g?.[needs] == 'function' ? (typeof g.version == 'string' ? g.version : '') : undefined;
    } catch {}
  };
  const ready = () => release() === VERSION;
  if (ready()) return Promise.resolve(win[global] as T);
  let p = loads.get(file);
  if (!p) {
    p = new Promise((resolve, reject) => {
      const fail = (why: string, cause?: unknown) => reject(new CohortkitError('network', `cohortkit: add-on ${file} ${why}`, cause));
      try {
        if (!base) return fail('not loaded: the bundle was not loaded from a <script src> (its directory is unknown)');
        const s = document.createElement('script');
        let timer: ReturnType<typeof setTimeout> | undefined;
        s.onload = () => {
          clearTimeout(timer);
          const v = release();
          if (v === VERSION) resolve(win[global]);
          else fail(v === undefined ? `did not define ${global}.${needs}` : `is version ${v || '?'}, not the bundle's ${VERSION}`);
        };
        s.onerror = () => (clearTimeout(timer), fail(`could not be loaded from ${s.src}`));
        s.async = true;
        if (own?.nonce) s.nonce = own.nonce;
        s.src = scriptURL(new URL(file, base).href);
        document.head.append(s);
        // Only once the element is in: a refused URL or element fails at once, with no timer left to fire later.
        timer = setTimeout(() => fail(`timed out after ${ADDON_TIMEOUT_MS} ms`), ADDON_TIMEOUT_MS);
      } catch (e) {
        // e.g. Trusted Types refusing the URL: the site's trusted-types directive lacks the policy.
        fail(policy === null && 'trustedTypes' in window ? 'could not be loaded (Trusted Types: allow the policy "cohortkit")' : 'could not be loaded', e);
      }
    });
    loads.set(file, p);
    // A later call tries again: a failed load leaves the map (only its own entry; a failure in
    // the executor above happens before it is set).
    const q = p;
    q.catch(() => loads.get(file) === q && loads.delete(file));
  }
  return p as Promise<T>;
}

/**
 * One add-on's loader, e.g. `addon('cohortkit-reporting.js', 'CohortkitReporting', 'createReportingRuntime')`:
 * each call loads (once) from the bundle's directory; see `loadAddon`.
 */
export const addon =
  <T>(file: string, global: string, needs: string) =>
  (): Promise<T> =>
    loadAddon<T>(file, global, needs);
