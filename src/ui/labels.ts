// Every text the preference center shows, overridable with `definePreferenceCenter(client, { labels })`.
// `{name}` placeholders are filled in; anything else is shown as written (always as text).
import { CohortkitError } from '../errors';
import { STRING, obj, want } from '../validate';

const A = 'invalid-argument';

export const LABELS = {
  region: 'Privacy preferences',
  intro: 'Change any choice at any time: withdrawing deletes what relied on it.',
  purposes: 'What you allow',
  on: 'on',
  off: 'off',
  unset: 'not chosen yet (off)',
  now: 'Now: {state}.',
  allowed: '{purpose}: allowed.',
  withdrawn: '{purpose}: withdrawn.',
  receipt: 'Deleted {signals} signals, {segments} segments, {reports} reports.',
  saveFailed: 'Could not save {purpose}: {error}',
  interests: 'Your interests',
  interestsHint: 'Tell us what you like; it stays on this device.',
  interestsSaved: 'Your interests were saved.',
  interestsNoConsent: 'Interests are saved only with your consent for personalization.',
  interestsFailed: 'Could not save your interests: {error}',
  data: 'Your data',
  download: 'Download my data',
  downloaded: 'Your data was downloaded as {file}.',
  downloadFailed: 'Could not export your data: {error}',
  forget: 'Forget everything',
  confirm: 'Delete everything stored about you on this device, the consent history included? This cannot be undone: download your data first to keep a copy.',
  confirmYes: 'Yes, forget everything',
  cancel: 'Cancel',
  forgotten: 'Everything was deleted from this device. Every purpose is now off until you choose again.',
  forgetFailed: 'Could not delete your data: {error}',
  loadFailed: 'Could not load your data: {error}',
  why: 'Why you see what you see',
  noSegments: 'You are in no segment: nothing is personalized for you.',
  because: 'Why: {reason}. Since {since}.',
  match: 'every condition holds',
  'no-match': 'a condition does not hold',
  'no-consent': 'a purpose it relies on is not granted',
  'insufficient-evidence': 'not enough supporting events yet',
  'unknown-segment': 'no such segment',
  condition: ': observed {observed}, expected {expected}',
  basedOn: 'Based on: {signals}.',
  signal: '{event} ×{count}',
  lastSeen: ' (last {time})',
  contextOnly: 'Based on the context of this visit only: nothing stored.',
  reliesOn: 'Relies on: {purposes}.',
  noConsentNeeded: 'Needs no consent.',
  history: 'Your consent history',
  verified: '✓ Ledger verified: the hash chain is intact. Decisions recorded: {count}.',
  broken: '✗ Ledger check failed: the hash chain is broken.',
  empty: 'No consent decision recorded yet.',
  columns: '#|When|Purpose|Choice|Source|Policy|Deleted',
  granted: 'granted',
  revoked: 'withdrawn',
  purged: '{signals} signals, {segments} segments, {reports} reports',
};

export type PreferenceLabels = typeof LABELS;

/** `t` with each `{name}` replaced by `v.name` (unknown names stay as written). */
export const fill = (t: string, v: Record<string, string | number>): string =>
  t.replace(/\{(\w+)\}/g, (m, k: string) => (Object.prototype.hasOwnProperty.call(v, k) ? String(v[k]) : m));

/**
 * The labels with `overrides` applied (each own key read once).
 * @throws CohortkitError `invalid-argument` naming `options.labels.<key>` for an unknown key, a non-string or a throwing getter
 */
export function resolveLabels(overrides: unknown): PreferenceLabels {
  if (overrides === undefined) return LABELS;
  const o = obj(overrides, 'options.labels', undefined, A);
  const out = { ...LABELS };
  for (const k of Object.keys(o)) {
    if (!Object.prototype.hasOwnProperty.call(LABELS, k)) throw new CohortkitError(A, `options.labels.${k}: unknown label`);
    (out as Record<string, string>)[k] = want(o[k], STRING, `options.labels.${k}`, A);
  }
  return out;
}
