// Entry of dist/cohortkit-encrypt.js (global `CohortkitEncrypt`): encryption at rest for the
// script-tag bundle, which loads this file from its own directory when `encryptAtRest` is set.
export { encryptedStore } from '../storage/encrypt';
