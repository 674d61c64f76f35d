// Entry of dist/cohortkit-encrypt.js (global `CohortkitEncrypt`): encryption at rest for the
// script-tag bundle, which loads this file from its own directory when `encryptAtRest` is set.
export { encryptedStore } from '../storage/encrypt';
// The release it belongs to: the bundle uses an add-on of its own release only.
export { VERSION as version } from '../version';
