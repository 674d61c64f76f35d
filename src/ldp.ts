// Public entry `cohortkit/ldp`: pure LDP mechanisms, any JS runtime.
export { createMechanism, chooseMechanism, murmur3_32, olhHash } from './privacy/index';
export type { Mechanism, MechanismOptions, RandomSource } from './privacy/index';
export type { MechanismName, ReportValue } from './types';
