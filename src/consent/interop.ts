import type { ConsentSource, ConsentState } from '../types';
import { BOOL, check, fail, obj } from '../validate';

export interface InteropOptions {
  tcf?: { map: Record<string, number[]> };
  consentMode?: { mirror?: boolean; read?: boolean };
}

/**
 * Validates `options.interop` against the declared purposes.
 * @throws CohortkitError `invalid-options`, e.g. `interop.tcf.map.ads: expected a non-empty array of TCF purpose ids (1–11)`
 */
export function validateInterop(input: unknown, purposes: string[]): InteropOptions | undefined {
  if (input === undefined) return;
  const o = obj(input, 'interop', ['tcf', 'consentMode']);
  const out: InteropOptions = {};
  if (o.tcf !== undefined) {
    const path = 'interop.tcf.map';
    const map = obj(obj(o.tcf, 'interop.tcf', ['map']).map, path, purposes);
    const m: Record<string, number[]> = (out.tcf = { map: {} }).map;
    for (const p in map) {
      const ids = map[p];
      if (ids === undefined) continue;
      if (!Array.isArray(ids) || !ids.length || !ids.every((n) => Number.isInteger(n) && n >= 1 && n <= 11))
        fail(`${path}.${p}`, 'expected a non-empty array of TCF purpose ids (1–11)');
      m[p] = ids as number[];
    }
  }
  if (o.consentMode !== undefined) {
    const c = (out.consentMode = obj(o.consentMode, 'interop.consentMode', ['mirror', 'read']));
    check(c, 'interop.consentMode', { mirror: BOOL, read: BOOL });
  }
  return out;
}

/**
 * Connect the configured CMP adapters. They are loaded on demand (a separate chunk in the
 * ESM build), so a site that configures none pays nothing for them.
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
  if (!win || !interop || (!interop.tcf && !interop.consentMode)) return () => {};
  const a = await import('./adapters');
  const stops: Array<() => void> = [];
  if (interop.tcf)
    stops.push(a.connectTCF({ win, map: interop.tcf.map, onChoices: (c) => env.update(c, 'tcf'), onError: env.onError }));
  if (interop.consentMode?.read) stops.push(a.readConsentMode(win, (c) => env.update(c, 'consent-mode')));
  if (interop.consentMode?.mirror) {
    a.mirrorToConsentMode(win, env.state());
    stops.push(env.onConsent((s) => a.mirrorToConsentMode(win, s)));
  }
  return () => stops.forEach((s) => s());
}
