export { connectTCF, mapTCData, hasDisclosedSegment } from './tcf';
export type { TCFAdapterOptions } from './tcf';
export { connectGPP, mapGPPData, GPP_FIELD } from './gpp';
export type { GPPAdapterOptions } from './gpp';
export { DEFAULT_CONSENT_MODE_MAP, mirrorToConsentMode, readConsentMode, toConsentMode, fromConsentMode } from './consent-mode';
export type { ConsentModeMap } from './consent-mode';
