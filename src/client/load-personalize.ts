import type * as Personalize from '../addons/personalize';

/** What the personalization add-on provides (src/addons/personalize.ts). */
export type PersonalizeAddon = typeof Personalize;

/**
 * Loads personalization: a chunk of the ESM build fetched on demand. The script-tag bundle swaps
 * this module for `src/tag/load-personalize.ts` (its add-on file `cohortkit-personalize.js`).
 */
export const loadPersonalize = (): Promise<PersonalizeAddon> => import('../addons/personalize');
