// Google Consent Mode v2 adapter: mirrors cohortkit state to gtag('consent', …) and reads it back.
import type { ConsentValue } from '../../types';

/** Consent Mode type -> the cohortkit purposes that must all be granted for it to be granted. */
export interface ConsentModeMap {
  analytics_storage?: string[];
  ad_user_data?: string[];
  ad_personalization?: string[];
  ad_storage?: string[];
}
type CMType = keyof ConsentModeMap;
type CMValue = 'granted' | 'denied';

/**
 * Default mapping. `analytics_storage` is measurement; `ad_personalization` is personalization;
 * `ad_user_data` (sending visitor data to Google for advertising) serves both measuring and
 * personalizing ads, so it needs both. `ad_storage` is left to the site's own CMP.
 */
export const DEFAULT_CONSENT_MODE_MAP: ConsentModeMap = {
  analytics_storage: ['measurement'],
  ad_personalization: ['personalization'],
  ad_user_data: ['measurement', 'personalization'],
};

// Marks the parameter objects cohortkit pushes, so readConsentMode does not read its own echo.
const MINE = Symbol.for('cohortkit.consent-mode');

const entries = (map: ConsentModeMap) =>
  (Object.keys(map) as CMType[]).filter((t) => Array.isArray(map[t]) && map[t]!.length).map((t) => [t, map[t]!] as const);

/**
 * Forward mapping: a Consent Mode type is 'granted' iff every cohortkit purpose it needs is
 * 'granted' ('unset' counts as denied). Types absent from the map (or mapped to []) are omitted.
 */
export function toConsentMode(state: Record<string, ConsentValue>, map: ConsentModeMap = DEFAULT_CONSENT_MODE_MAP): Partial<Record<CMType, CMValue>> {
  const out: Partial<Record<CMType, CMValue>> = {};
  for (const [t, ps] of entries(map)) out[t] = ps.every((p) => state[p] === 'granted') ? 'granted' : 'denied';
  return out;
}

/**
 * Reverse mapping, for the announced types only: a purpose is granted iff at least one
 * announced type that needs it is granted and no announced type that needs only it is denied.
 * Purposes with no announced type are omitted. Never grants a purpose that
 * {@link toConsentMode} would have derived from a denied one.
 */
export function fromConsentMode(cm: Partial<Record<string, string>>, map: ConsentModeMap = DEFAULT_CONSENT_MODE_MAP): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  const vetoed: Record<string, boolean> = {};
  for (const [t, ps] of entries(map)) {
    const v = cm[t];
    if (v !== 'granted' && v !== 'denied') continue;
    for (const p of ps) out[p] = out[p] || v === 'granted';
    if (v === 'denied' && ps.length === 1) vetoed[ps[0]] = true;
  }
  for (const p of Object.keys(vetoed)) out[p] = false;
  return out;
}

/**
 * Mirrors cohortkit's consent state to Google Consent Mode: `gtag('consent', 'update', {…})`
 * when `win.gtag` is a function, else pushes the same `arguments` object the gtag snippet
 * would push onto `win.dataLayer` (created if missing). Never throws.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function mirrorToConsentMode(win: any, state: Record<string, ConsentValue>, map?: ConsentModeMap): void {
  try {
    const params = toConsentMode(state, map);
    Object.defineProperty(params, MINE, { value: true });
    if (typeof win.gtag === 'function') return void win.gtag('consent', 'update', params);
    const dl = (win.dataLayer = win.dataLayer || []);
    dl.push((function (..._: unknown[]) {
      // eslint-disable-next-line prefer-rest-params
      return arguments;
    })('consent', 'update', params));
  } catch {
    /* the host page's gtag or dataLayer failing is not cohortkit's to surface */
  }
}

const isArgs = (x: unknown) => Object.prototype.toString.call(x) === '[object Arguments]';

/**
 * Reads Google Consent Mode from `win.dataLayer`: replays the existing `consent default` /
 * `consent update` commands, then observes new pushes (wrapping `dataLayer.push`) and emits
 * the reverse-mapped choices each time a command arrives. Per type, `update` overrides
 * `default` and the latest command of a kind wins; region-scoped defaults and cohortkit's own
 * mirrored updates are ignored. Returns `disconnect`, which restores `push`. Never throws.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function readConsentMode(win: any, onChoices: (choices: Record<string, boolean>) => void, map?: ConsentModeMap): () => void {
  const defaults: Record<string, string> = {};
  const updates: Record<string, string> = {};
  // Folds one dataLayer entry in; true when it was a consent command from outside cohortkit.
  const take = (e: ArrayLike<unknown>): boolean => {
    if (!isArgs(e) || e[0] !== 'consent') return false;
    const p = e[2] as Record<string | symbol, unknown> | null;
    if (!p || typeof p !== 'object' || p[MINE]) return false;
    const into = e[1] === 'update' ? updates : e[1] === 'default' && !('region' in p) ? defaults : null;
    if (!into) return false;
    // Own keys only: an inherited `analytics_storage` is no command of the page's.
    for (const k of Object.keys(p)) if (typeof p[k] === 'string') into[k] = p[k] as string;
    return true;
  };
  // Folds entries in and emits when one was a consent command; never throws.
  const scan = (items: ArrayLike<unknown>) => {
    try {
      let seen = false;
      for (let i = 0; i < items.length; i++) seen = take(items[i] as ArrayLike<unknown>) || seen;
      const choices = fromConsentMode({ ...defaults, ...updates }, map);
      if (seen && Object.keys(choices).length) onChoices(choices);
    } catch {
      /* a throwing listener must not break the host page's push */
    }
  };
  let dl: unknown[];
  try {
    dl = win.dataLayer = win.dataLayer || [];
    if (!Array.isArray(dl)) return () => {};
  } catch {
    return () => {};
  }
  scan(dl);
  let on = true;
  const orig = dl.push;
  const wrapped = function (this: unknown, ...items: unknown[]) {
    const r = orig.apply(this, items);
    if (on) scan(items);
    return r;
  };
  dl.push = wrapped;
  return () => {
    on = false;
    // Restore only if nobody wrapped push after us; otherwise stay in their chain, inert.
    if (dl.push === wrapped) dl.push = orig;
  };
}
