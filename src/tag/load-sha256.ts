// Stands in for src/consent/load-sha256.ts in dist/cohortkit.iife.js (see rollup.config.mjs):
// SHA-256 for a page without WebCrypto's digest comes from the add-on dist/cohortkit-sha256.js next to the bundle.
import type { Sha256Addon } from '../consent/load-sha256';
import { addon } from './addon';

export const loadSha256 = addon<Sha256Addon>('cohortkit-sha256.js', 'CohortkitSha256', 'sha256Hex');
