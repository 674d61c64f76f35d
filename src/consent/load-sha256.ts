import type * as Sha256 from '../addons/sha256';

/** What the SHA-256 add-on provides (src/addons/sha256.ts). */
export type Sha256Addon = typeof Sha256;

/**
 * Loads SHA-256 in JavaScript: a chunk of the ESM build fetched only where WebCrypto's digest is
 * missing. The script-tag bundle swaps this module for `src/tag/load-sha256.ts` (its add-on file
 * `cohortkit-sha256.js`).
 */
export const loadSha256 = (): Promise<Sha256Addon> => import('../addons/sha256');
