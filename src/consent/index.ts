export { createConsentManager, validateChoices, type ConsentManager, type PurgeCounts } from './manager';
export { chainRecords, verifyLedger, canonicalRecord, sha256Hex, GENESIS } from './ledger';
export { deriveState, SOURCES } from './state';
export { createLock } from './lock';
export { createTabSync, type TabSync } from './sync';
