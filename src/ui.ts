// Public entry `cohortkit/ui`: the preference center component (dist/cohortkit-ui.iife.js: global CohortkitUI).
export { definePreferenceCenter, type PreferenceCenterOptions } from './ui/element';
export type { InterestDefinition } from './ui/view';
export { LABELS, type PreferenceLabels } from './ui/labels';
