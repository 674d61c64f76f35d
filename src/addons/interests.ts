// Entry of dist/cohortkit-interests.js (global `CohortkitInterests`): declare() of the declared
// interests (validation of the ids, the all-or-nothing write), for the script-tag bundle, which
// loads this file from its own directory on the first declare() (the ESM build imports this
// module as a chunk on demand). Reading, sweeping and purging them stay in the bundle.
export { declareInterests } from '../client/interests-declare';
// The release it belongs to: the bundle uses an add-on of its own release only.
export { VERSION as version } from '../version';
