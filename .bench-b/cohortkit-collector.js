#!/usr/bin/env node
import { r as runCli } from './chunks/cli-23aM4S7M.js';
import './chunks/errors-Cp7kg1GW.js';
import './chunks/ldp-ClVGeEjM.js';
import 'node:crypto';

// `npx cohortkit-collector --config spaces.json`: the reference collector (see docs/collector.md).
runCli(process.argv.slice(2)).catch((e) => {
    console.error(`cohortkit-collector: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
});
//# sourceMappingURL=cohortkit-collector.js.map
