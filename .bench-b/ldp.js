export { a as chooseMechanism, c as createMechanism, e as murmur3_32, o as olhHash } from './chunks/ldp-ClVGeEjM.js';
import './chunks/errors-Cp7kg1GW.js';
//# sourceMappingURL=ldp.js.map
