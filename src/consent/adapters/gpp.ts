// IAB GPP adapter (`__gpp`, e.g. the `usnat` section): translates opt-out fields into plain
// cohortkit choices. Loaded on demand, like the TCF and Consent Mode adapters.
import { CohortkitError } from '../../errors';
import { listenToCMP } from './listen';

/** Options of {@link connectGPP}. */
export interface GPPAdapterOptions {
  /** A window-like object carrying the CMP's `__gpp` function. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  win: any;
  /** cohortkit purpose -> GPP fields (`'usnat.SaleOptOut'`, `'usnat.SensitiveDataProcessing.2'`). */
  map: Record<string, string[]>;
  /** Receives the mapped choices each time the CMP signals (ready): only purposes with a signal. */
  onChoices: (choices: Record<string, boolean>) => void;
  /** Receives faults (no CMP, CMP failure, a throwing `onChoices`); never thrown into the page. */
  onError?: (e: unknown) => void;
}

/** A GPP field: `<section>.<Field>` with an optional `.<index>` into an array field. */
export const GPP_FIELD = /^([a-z][a-z0-9]{1,15})\.([A-Za-z][A-Za-z0-9]{0,63})(?:\.(\d{1,2}))?$/;

/**
 * One field's signal: 1 (opted out) → false; 2 (did not opt out) → true; anything else — 0 (not
 * applicable), absent, not a number — → undefined (no signal). An array field read without an
 * index: opted out if any entry is 1, not opted out if every entry is 2.
 */
function signal(sections: Record<string, unknown>, field: string): boolean | undefined {
  const m = GPP_FIELD.exec(field);
  if (!m) return;
  let sec = sections[m[1]!];
  // A section may be parsed as one object or as a list of sub-sections (core, gpc …).
  if (Array.isArray(sec)) sec = sec.find((x) => x && typeof x === 'object' && m[2]! in x);
  if (!sec || typeof sec !== 'object') return;
  let v = (sec as Record<string, unknown>)[m[2]!];
  if (m[3] !== undefined) v = Array.isArray(v) ? v[+m[3]] : undefined;
  if (Array.isArray(v)) return v.some((x) => x === 1) ? false : v.length && v.every((x) => x === 2) ? true : undefined;
  return v === 1 ? false : v === 2 ? true : undefined;
}

/**
 * Maps GPP `parsedSections` to cohortkit choices. A purpose is denied when any of its fields is 1
 * (opted out), granted when every field is 2 (did not opt out), and left out otherwise (a field
 * not applicable or absent, e.g. the section was removed): the adapter then records nothing for it.
 */
export function mapGPPData(parsedSections: unknown, map: Record<string, string[]>): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  if (!parsedSections || typeof parsedSections !== 'object') return out;
  const sections = parsedSections as Record<string, unknown>;
  for (const p of Object.keys(map)) {
    const s = map[p]!.map((f) => signal(sections, f));
    if (s.includes(false)) out[p] = false;
    else if (s.length && s.every((x) => x === true)) out[p] = true;
  }
  return out;
}

interface GPPEventLike {
  eventName?: string;
  listenerId?: number;
  pingData?: { signalStatus?: string; applicableSections?: unknown; parsedSections?: unknown };
}

/**
 * Listens to a GPP CMP (`__gpp('addEventListener', cb)`) and emits the mapped choices whenever
 * it signals with `signalStatus: 'ready'` (and not `applicableSections: [-1]`, "none applies").
 * Returns `disconnect`, which removes the listener (also when the CMP answers only later).
 * Never throws.
 */
export function connectGPP(opts: GPPAdapterOptions): () => void {
  return listenToCMP<GPPEventLike>({
    win: opts.win,
    name: '__gpp',
    missing: 'interop.gpp: window.__gpp is missing (no GPP CMP or stub on this page)',
    add: (api, listener) => api('addEventListener', listener),
    remove: (api, id) => api('removeEventListener', () => {}, id),
    onError: opts.onError,
    onEvent(evt, success) {
      if (success === false || !evt || typeof evt !== 'object')
        throw new CohortkitError('invalid-options', 'interop.gpp: the CMP answered addEventListener with success=false');
      const ping = evt.pingData;
      if (!ping || typeof ping !== 'object' || ping.signalStatus !== 'ready') return;
      if (Array.isArray(ping.applicableSections) && ping.applicableSections.includes(-1)) return;
      const choices = mapGPPData(ping.parsedSections, opts.map);
      if (Object.keys(choices).length) opts.onChoices(choices);
    },
  });
}
