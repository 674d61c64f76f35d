export {
  type RandomSource,
  defaultRandom,
  randomUint32,
  randomInt,
  randomBernoulli,
  randomId,
  uniform53,
  toBase64url,
  fromBase64url,
} from './random';
export { murmur3_32, olhHash } from './murmur3';
export {
  type Mechanism,
  type MechanismOptions,
  createMechanism,
  chooseMechanism,
  checkParams,
  mechanismParams,
  olhRange,
  OUE_MAX_K,
  maxK,
  varianceOf,
} from './mechanisms';
export { type SupportInput, supports, eachSupport } from './support';
