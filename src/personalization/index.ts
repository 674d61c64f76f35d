export { validateDecideRequest, MAX_SLOT_LENGTH } from './validate';
export { decideVariant } from './decide';
export type { DecideEnv } from './decide';
export { holdoutBucket, createLocalId } from './holdout';
export { parseDuration, pruneExposures, countExposures, isCapped } from './caps';
export { defineExperiment, readLift, EXPOSURE_EVENT, type ExperimentOptions, type Lift } from './experiment';
