import type * as Reporting from '../addons/reporting';

/** What the reporting add-on provides (src/addons/reporting.ts). */
export type ReportingAddon = typeof Reporting;

/**
 * Loads private reporting: a chunk of the ESM build fetched on demand. The script-tag bundle
 * swaps this module for `src/tag/load-reporting.ts` (its add-on file `cohortkit-reporting.js`).
 */
export const loadReporting = (): Promise<ReportingAddon> => import('../addons/reporting');
