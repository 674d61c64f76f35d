export { createClient } from './client';
export { CohortkitError, isCohortkitError, type CohortkitErrorCode } from './errors';
export { defineExperiment, readLift, planExperiment, type ExperimentOptions, type Lift, type ArmRate, type PlanOptions, type ExperimentPlan } from './personalization/experiment';
export { defineAudit, type AuditOptions } from './metrics/audit';
export { consentSpace } from './metrics/consent-space';
export type * from './types';
