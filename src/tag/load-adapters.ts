// Stands in for src/consent/load-adapters.ts in dist/cohortkit.iife.js (see rollup.config.mjs):
// the CMP adapters come from the add-on dist/cohortkit-interop.js next to the bundle.
import type { InteropAdapters } from '../consent/load-adapters';
import { addon } from './addon';

export const loadAdapters = addon<InteropAdapters>('cohortkit-interop.js', 'CohortkitInterop', 'connectAdapters');
