// Stands in for src/client/load-personalize.ts in dist/cohortkit.iife.js (see rollup.config.mjs):
// decide() and the slots come from the add-on dist/cohortkit-personalize.js next to the bundle.
import type { PersonalizeAddon } from '../client/load-personalize';
import { addon } from './addon';

export const loadPersonalize = addon<PersonalizeAddon>('cohortkit-personalize.js', 'CohortkitPersonalize', 'createPersonalizationRuntime');
