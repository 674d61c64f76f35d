// Entry of dist/cohortkit-interop.js (global `CohortkitInterop`): the CMP adapters and the code
// that connects them, for the script-tag bundle, which loads this file from its own directory when
// `interop` is configured (the ESM build imports this module as a chunk on demand). Including it
// with its own <script src> before the bundle works too (then nothing is fetched).
export { connectTCF, connectGPP, readConsentMode, mirrorToConsentMode } from '../consent/adapters';
export { connectAdapters } from '../consent/interop-connect';
export { validateInterop } from '../consent/interop-validate';
// The release it belongs to: the bundle uses an add-on of its own release only.
export { VERSION as version } from '../version';
