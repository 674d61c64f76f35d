// Entry of dist/cohortkit-reporting.js (global `CohortkitReporting`): private reporting for the
// script-tag bundle (cohort validation, the reporting runtime, LDP mechanisms, outbox, transport),
// which the bundle loads from its own directory when `report` or `cohorts` is configured. The ESM
// build imports this module as a chunk on demand (src/client/load-reporting.ts).
export { createReportingRuntime } from '../client/reporting';
export { pageBase, validateCohortSpaces, validateReportOptions } from '../reporting/validate';
// The release it belongs to: the bundle uses an add-on of its own release only.
export { VERSION as version } from '../version';
