// Reporting: cohort spaces, assignment, epochs, memoized LDP reports, budget, outbox, transport.
export { pageBase, validateCohortSpaces, validateReportOptions, type CompiledSpace, type ReportConfig } from './validate';
export { assignCohort } from './assign';
export { epochOf, epochEnd, type EpochKind } from './epoch';
export { buildReport, memoKey, reusesMemo, type BuildReportArgs, type ReportMemo, type GrrMemo } from './report';
export { planEpoch, type EpochPlan } from './budget';
export { MAX_OUTBOX, admit, due, nextAttempt, pruneSent, secureUniform, settle } from './outbox';
export { MAX_CHUNK, outcomeOf, sendReports, type SendOptions, type SendOutcome, type SendResult } from './transport';
export { allowsFresh, lifetimeView, readLifetime, type LifetimeSpent, type LifetimeView } from './lifetime';
