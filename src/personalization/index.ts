export { validateDecideRequest, MAX_SLOT_LENGTH } from './validate';
export { decideVariant } from './decide';
export type { DecideEnv } from './decide';
export { holdoutBucket, createLocalId } from './holdout';
export { parseDuration, pruneExposures, countExposures, isCapped } from './caps';
export { defineExperiment, readLift, EXPOSURE_EVENT, type ExperimentOptions, type Lift, type ArmRate } from './experiment';
export { experimentPurposes, keptArm, armToRecord, type Arm } from './arms';
export { planExperiment, experimentVariance, normalQuantile, normalCdf, type PlanOptions, type ExperimentPlan } from './plan';
