// Entry of dist/cohortkit-personalize.js (global `CohortkitPersonalize`): decide() (variants,
// holdouts, frequency caps, exposure recording) and the declarative slots, for the script-tag
// bundle, which loads this file from its own directory on the first decide() or when the page has
// a `data-cohortkit-slot` element (the ESM build imports this module as a chunk on demand).
export { createPersonalizationRuntime } from '../client/personalization';
export { fillSlots } from '../tag/slots';
// The release it belongs to: the bundle uses an add-on of its own release only.
export { VERSION as version } from '../version';
