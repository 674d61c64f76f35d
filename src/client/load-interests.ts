import type * as Interests from '../addons/interests';

/** What the declared-interests add-on provides (src/addons/interests.ts). */
export type InterestsAddon = typeof Interests;

/**
 * Loads declare(): a chunk of the ESM build fetched on demand. The script-tag bundle swaps this
 * module for `src/tag/load-interests.ts` (its add-on file `cohortkit-interests.js`).
 */
export const loadInterests = (): Promise<InterestsAddon> => import('../addons/interests');
