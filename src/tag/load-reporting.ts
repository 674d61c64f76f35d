// Stands in for src/client/load-reporting.ts in dist/cohortkit.iife.js (see rollup.config.mjs):
// private reporting comes from the add-on dist/cohortkit-reporting.js next to the bundle.
import type { ReportingAddon } from '../client/load-reporting';
import { addon } from './addon';

export const loadReporting = addon<ReportingAddon>('cohortkit-reporting.js', 'CohortkitReporting', 'createReportingRuntime');
