// Stands in for src/client/load-interests.ts in dist/cohortkit.iife.js (see rollup.config.mjs):
// declare() of the declared interests comes from the add-on dist/cohortkit-interests.js next to the bundle.
import type { InterestsAddon } from '../client/load-interests';
import { addon } from './addon';

export const loadInterests = addon<InterestsAddon>('cohortkit-interests.js', 'CohortkitInterests', 'declareInterests');
