// Stands in for src/client/load-context.ts in dist/cohortkit.iife.js (see rollup.config.mjs):
// the visitor-context reader comes from the add-on dist/cohortkit-context.js next to the bundle.
import type { ContextAddon } from '../client/load-context';
import { addon } from './addon';

export const loadContext = addon<ContextAddon>('cohortkit-context.js', 'CohortkitContext', 'contextFromWindow');
