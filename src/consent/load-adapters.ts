import type * as Adapters from './adapters';

/** What `connectInterop` uses of the adapters (and all that the tag bundle's add-on defines). */
export type InteropAdapters = Pick<typeof Adapters, 'connectTCF' | 'connectGPP' | 'readConsentMode' | 'mirrorToConsentMode'>;

/**
 * Loads the CMP adapters: a chunk of the ESM build fetched on demand. The script-tag bundle
 * swaps this module for `src/tag/load-adapters.ts` (its add-on file `cohortkit-interop.js`).
 */
export const loadAdapters = (): Promise<InteropAdapters> => import('./adapters');
