// Connects the configured CMP adapters (TCF, GPP, Consent Mode) to a client: ships with them (the
// chunk or add-on src/addons/interop.ts), never in the core bundle.
import type { InteropEnv } from './interop';
import type { InteropOptions } from './interop-validate';
import type { ConsentSource } from '../types';
import { connectGPP, connectTCF, mirrorToConsentMode, readConsentMode } from './adapters';

/** Connects every configured adapter on `win`; returns what disconnects them all. */
export function connectAdapters(interop: InteropOptions, win: Record<string, unknown>, env: InteropEnv): () => void {
  const stops: Array<() => void> = [];
  // A CMP may answer while we connect (synchronously): those choices reach `env` in a later
  // task, in order, once the caller holds what this returns.
  let connecting = true;
  const to = (source: ConsentSource) => (c: Record<string, boolean>) =>
    connecting ? setTimeout(() => env.update(c, source)) : env.update(c, source);
  if (interop.tcf) stops.push(connectTCF({ win, map: interop.tcf.map, vendorId: interop.tcf.vendorId, onChoices: to('tcf'), onError: env.onError }));
  if (interop.gpp) stops.push(connectGPP({ win, map: interop.gpp.map, onChoices: to('gpp'), onError: env.onError }));
  if (interop.consentMode?.read) stops.push(readConsentMode(win, to('consent-mode')));
  if (interop.consentMode?.mirror) {
    mirrorToConsentMode(win, env.state());
    stops.push(env.onConsent((s) => mirrorToConsentMode(win, s)));
  }
  connecting = false;
  return () => stops.forEach((s) => s());
}
