/**
 * Starts fetching the encryption layer while IndexedDB opens (`encryptAtRest`): storage imports
 * the same chunk afterwards and finds it loaded. The script-tag bundle swaps this module for
 * `src/tag/encrypt.ts` (its add-on file `cohortkit-encrypt.js`). Failures surface where storage
 * imports it, never here.
 */
export const preloadEncryption = (): void => void import('../storage/encrypt').catch(() => {});
