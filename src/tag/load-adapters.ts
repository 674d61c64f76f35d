// Stands in for src/consent/load-adapters.ts in dist/cohortkit.iife.js (see rollup.config.mjs):
// the CMP adapters come from the add-on dist/cohortkit-interop.js next to the bundle.
import type { InteropAdapters } from '../consent/load-adapters';
import { loadAddon } from './addon';

/** The add-on file and the global it defines (built from src/addons/interop.ts). */
export const INTEROP_ADDON = ['cohortkit-interop.js', 'CohortkitInterop'] as const;

export const loadAdapters = (): Promise<InteropAdapters> => loadAddon<InteropAdapters>(...INTEROP_ADDON);
