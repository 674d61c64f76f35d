// Entry of dist/cohortkit-sha256.js (global `CohortkitSha256`): SHA-256 in JavaScript for the
// consent ledger, for the script-tag bundle on a page without WebCrypto's digest (plain HTTP, not a
// secure context), which loads this file from its own directory then only (the ESM build imports
// this module as a chunk on demand).
export { sha256Hex } from '../consent/sha256';
// The release it belongs to: the bundle uses an add-on of its own release only.
export { VERSION as version } from '../version';
