import type * as Context from '../addons/context';

/** What the context add-on provides (src/addons/context.ts). */
export type ContextAddon = typeof Context;

/**
 * Loads the visitor-context reader: a chunk of the ESM build fetched on demand. The script-tag
 * bundle swaps this module for `src/tag/load-context.ts` (its add-on file `cohortkit-context.js`).
 */
export const loadContext = (): Promise<ContextAddon> => import('../addons/context');
