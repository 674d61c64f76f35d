export { connectTCF, mapTCData } from './tcf';
export type { TCFAdapterOptions } from './tcf';
export { DEFAULT_CONSENT_MODE_MAP, mirrorToConsentMode, readConsentMode, toConsentMode, fromConsentMode } from './consent-mode';
export type { ConsentModeMap } from './consent-mode';
