import { CohortkitError, isCohortkitError } from '../errors';
import type { ConsentSource, ConsentState } from '../types';
import { opt, shape, type Schema } from '../schema';
import { BOOL, fail, obj } from '../validate';
import { loadAdapters } from './load-adapters';

/** A GPP field as the adapter reads it (kept in step with GPP_FIELD in adapters/gpp.ts). */
const GPP_FIELD_RE = /^[a-z][a-z0-9]{1,15}\.[A-Za-z][A-Za-z0-9]{0,63}(\.\d{1,2})?$/;

export interface InteropOptions {
  tcf?: { map: Record<string, number[]>; vendorId?: number };
  consentMode?: { mirror?: boolean; read?: boolean };
  gpp?: { map: Record<string, string[]> };
}

/** `<path>`: declared purpose → a non-empty array whose items pass `ok` (undefined entries skipped). */
const purposeMap =
  (purposes: string[], ok: (x: any) => boolean, items: string): Schema =>
  (v, path) => {
    const map = obj(v, path, purposes);
    for (const p in map)
      if (map[p] === undefined) delete map[p];
      else if (!Array.isArray(map[p]) || !(map[p] as unknown[]).length || !(map[p] as unknown[]).every(ok)) fail(`${path}.${p}`, `expected a non-empty array of ${items}`);
    return map;
  };

/**
 * Validates `options.interop` against the declared purposes.
 * @throws CohortkitError `invalid-options`, e.g. `interop.tcf.map.ads: expected a non-empty array of TCF purpose ids (1–11)`
 */
export function validateInterop(input: unknown, purposes: string[]): InteropOptions | undefined {
  return opt(
    shape(
      {
        tcf: opt(
          shape({
            map: purposeMap(purposes, (n) => Number.isInteger(n) && n >= 1 && n <= 11, 'TCF purpose ids (1–11)'),
            vendorId: opt([(v) => Number.isInteger(v) && v >= 1 && v <= 65535, 'expected a Global Vendor List id (an integer in 1–65535)']),
          }),
        ),
        gpp: opt(shape({ map: purposeMap(purposes, (f) => typeof f == 'string' && GPP_FIELD_RE.test(f), 'GPP fields like "usnat.SaleOptOut"') })),
        // Kept as read (mirror and read may be undefined).
        consentMode: opt(shape({ mirror: opt(BOOL), read: opt(BOOL) }, 0, (_, __, o) => o)),
      },
      ['tcf', 'consentMode', 'gpp'],
    ),
  )(input, 'interop');
}

/**
 * Connect the configured CMP adapters. They are loaded on demand (a separate chunk in the
 * ESM build, the add-on dist/cohortkit-interop.js for the script tag), so a site that
 * configures none pays nothing for them. Rejects if they cannot be loaded (the client
 * emits that as `error` and runs without them).
 */
export async function connectInterop(
  interop: InteropOptions | undefined,
  env: {
    update(choices: Record<string, boolean>, source: ConsentSource): void;
    onError(e: unknown): void;
    onConsent(listener: (s: ConsentState) => void): () => void;
    state(): ConsentState;
  },
): Promise<() => void> {
  const win = typeof window === 'undefined' ? undefined : (window as unknown as Record<string, unknown>);
  if (!win || !interop || (!interop.tcf && !interop.consentMode && !interop.gpp)) return () => {};
  const a = await loadAdapters().catch((e) => {
    throw isCohortkitError(e) ? e : new CohortkitError('network', 'interop: the CMP adapters could not be loaded', e);
  });
  const stops: Array<() => void> = [];
  // A CMP may answer while we connect (synchronously): those choices reach `env` in a later
  // task, in order, once the caller holds what this returns.
  let connecting = true;
  const to = (source: ConsentSource) => (c: Record<string, boolean>) =>
    connecting ? setTimeout(() => env.update(c, source)) : env.update(c, source);
  if (interop.tcf) stops.push(a.connectTCF({ win, map: interop.tcf.map, vendorId: interop.tcf.vendorId, onChoices: to('tcf'), onError: env.onError }));
  if (interop.gpp) stops.push(a.connectGPP({ win, map: interop.gpp.map, onChoices: to('gpp'), onError: env.onError }));
  if (interop.consentMode?.read) stops.push(a.readConsentMode(win, to('consent-mode')));
  if (interop.consentMode?.mirror) {
    a.mirrorToConsentMode(win, env.state());
    stops.push(env.onConsent((s) => a.mirrorToConsentMode(win, s)));
  }
  connecting = false;
  return () => stops.forEach((s) => s());
}
