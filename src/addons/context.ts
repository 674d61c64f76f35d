// Entry of dist/cohortkit-context.js (global `CohortkitContext`): reading and classifying the
// visitor's context (device, channel, hour, weekday, language, referrer) for the script-tag bundle,
// which loads this file from its own directory when a segment has a `context` rule (the ESM build
// imports this module as a chunk on demand).
export { contextFromWindow } from '../signals/context';
// The release it belongs to: the bundle uses an add-on of its own release only.
export { VERSION as version } from '../version';
