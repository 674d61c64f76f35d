export { createClient } from './client';
export { CohortkitError, isCohortkitError, type CohortkitErrorCode } from './errors';
export { defineExperiment, readLift, planExperiment, type ExperimentOptions, type Lift, type ArmRate, type PlanOptions, type ExperimentPlan } from './personalization/experiment';
// Metrics (pure, any runtime; readAudit and readConsentRates also here so a browser dashboard can read them).
export { defineAudit, readAudit, type AuditOptions, type AuditResult, type AuditGroup } from './metrics/audit';
export { consentSpace } from './metrics/consent-space';
export { readConsentRates, type ConsentRates, type ConsentShare } from './metrics/consent-rates';
export type * from './types';
