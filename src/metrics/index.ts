// Metrics over LDP aggregates: fairness audits and consent rates. Pure; no visitor-level data.
export { defineAudit, readAudit, MAX_AUDIT_GROUPS, type AuditOptions, type AuditGroup, type AuditResult } from './audit';
export { consentSpace, consentIndex, checkConsentPurposes, CONSENT_STATES, MAX_CONSENT_PURPOSES } from './consent-space';
export { readConsentRates, type ConsentRates, type ConsentShare } from './consent-rates';
export { shareOf, shareCovariance, fiellerRatio, readCounts, Z95, type Share, type Counts } from './rate';
