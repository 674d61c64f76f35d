export { createClient } from './client';
export { CohortkitError, isCohortkitError, type CohortkitErrorCode } from './errors';
export type * from './types';
