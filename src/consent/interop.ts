import type { ConsentSource, ConsentState } from '../types';
import { optionsError, readObject } from '../options';

export interface InteropOptions {
  tcf?: { map: Record<string, number[]> };
  consentMode?: { mirror?: boolean; read?: boolean };
}

/** Validate `options.interop` against the declared purposes. */
export function validateInterop(input: unknown, purposes: string[]): InteropOptions | undefined {
  if (input === undefined) return undefined;
  const o = readObject(input, 'interop', ['tcf', 'consentMode']);
  const out: InteropOptions = {};
  if (o.tcf !== undefined) {
    const t = readObject(o.tcf, 'interop.tcf', ['map']);
    const map = readObject(t.map, 'interop.tcf.map', purposes);
    for (const [p, ids] of Object.entries(map))
      if (!Array.isArray(ids) || !ids.length || !ids.every((n) => Number.isInteger(n) && n >= 1 && n <= 11))
        throw optionsError(`interop.tcf.map.${p}`, 'expected a non-empty array of TCF purpose ids (1–11)');
    out.tcf = { map: map as Record<string, number[]> };
  }
  if (o.consentMode !== undefined) {
    const c = readObject(o.consentMode, 'interop.consentMode', ['mirror', 'read']);
    for (const k of ['mirror', 'read'] as const)
      if (c[k] !== undefined && typeof c[k] !== 'boolean') throw optionsError(`interop.consentMode.${k}`, 'expected a boolean');
    out.consentMode = c as InteropOptions['consentMode'];
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
  if (!interop || (!interop.tcf && !interop.consentMode)) return () => {};
  const win = typeof window === 'undefined' ? undefined : (window as unknown as Record<string, unknown>);
  if (!win) return () => {};
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
