// Entry of dist/cohortkit-interop.js (global `CohortkitInterop`): the CMP adapters for the
// script-tag bundle, which loads this file from its own directory when `interop` is configured.
// Including it with its own <script src> before the bundle works too (then nothing is fetched).
export { connectTCF, connectGPP, readConsentMode, mirrorToConsentMode } from '../consent/adapters';
