export { createClient } from './client';
export { CohortkitError, isCohortkitError, type CohortkitErrorCode } from './errors';
export { defineExperiment, readLift, type ExperimentOptions, type Lift } from './personalization/experiment';
export type * from './types';
