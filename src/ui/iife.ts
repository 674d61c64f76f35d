// Entry of dist/cohortkit-ui.iife.js (global `CohortkitUI`): `CohortkitUI.definePreferenceCenter(client)`.
export { definePreferenceCenter } from './element';
export { CSS } from './styles';
