import { b as ClientOptions, d as Client } from './chunks/types-R6Jy8j5G.js';
export { C as CatalogEntry, a as CatalogSpace, e as ClientEvent, c as CohortSpace, f as ConsentRecord, g as ConsentSource, h as ConsentState, i as ConsentValue, j as ContextKind, k as ContextRule, D as DataExport, l as DecideRequest, m as Decision, n as Duration, E as EventRule, o as Explanation, p as ExplanationCondition, L as LDPReport, M as MechanismName, q as Membership, P as PrivacyEpoch, r as PrivacyLifetime, s as PropertyPredicate, t as PurposeOption, R as ReportOptions, u as ReportValue, v as Rule, w as Scalar, S as SegmentDefinition, x as StoragePersistence, T as TrackResult } from './chunks/types-R6Jy8j5G.js';
export { C as CohortkitError, a as CohortkitErrorCode, i as isCohortkitError } from './chunks/errors-DDvr_evL.js';
export { A as ArmRate, a as AuditOptions, E as ExperimentOptions, b as ExperimentPlan, L as Lift, P as PlanOptions, c as consentSpace, d as defineAudit, e as defineExperiment, p as planExperiment, r as readLift } from './chunks/consent-space-CfDDP48x.js';

/**
 * Create a cohortkit client: validates options (rejects with `invalid-options` naming the
 * path), opens storage (IndexedDB, or memory when it is unavailable), restores consent.
 * @param options see ClientOptions in API.md; everything is optional.
 */
declare function createClient(options?: ClientOptions): Promise<Client>;

export { Client, ClientOptions, createClient };
