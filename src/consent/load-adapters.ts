import type * as Interop from '../addons/interop';

/** What the interop add-on defines (src/addons/interop.ts): the adapters and `connectAdapters`. */
export type InteropAdapters = typeof Interop;

/**
 * Loads the CMP adapters: a chunk of the ESM build fetched on demand. The script-tag bundle
 * swaps this module for `src/tag/load-adapters.ts` (its add-on file `cohortkit-interop.js`).
 */
export const loadAdapters = (): Promise<InteropAdapters> => import('../addons/interop');
