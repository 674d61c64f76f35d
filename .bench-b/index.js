export { c as createClient } from './chunks/index-DTcVH_tq.js';
export { C as CohortkitError, i as isCohortkitError } from './chunks/errors-Cp7kg1GW.js';
export { d as defineAudit, a as defineExperiment, p as planExperiment, c as readLift } from './chunks/audit-KLGZ8Vqc.js';
export { a as consentSpace } from './chunks/consent-space-2DJOztdB.js';
import './chunks/entries-RiBf5myd.js';
import './chunks/validate-aI8U5EBI.js';
import 'idb';
import './chunks/ldp-ClVGeEjM.js';
//# sourceMappingURL=index.js.map
