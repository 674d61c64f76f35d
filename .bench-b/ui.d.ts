import { Client } from './index.js';

declare const LABELS: {
    region: string;
    intro: string;
    purposes: string;
    on: string;
    off: string;
    unset: string;
    now: string;
    allowed: string;
    withdrawn: string;
    receipt: string;
    saveFailed: string;
    interests: string;
    interestsHint: string;
    interestsSaved: string;
    interestsNoConsent: string;
    interestsFailed: string;
    data: string;
    download: string;
    downloaded: string;
    downloadFailed: string;
    forget: string;
    confirm: string;
    confirmYes: string;
    cancel: string;
    forgotten: string;
    forgetFailed: string;
    loadFailed: string;
    why: string;
    noSegments: string;
    because: string;
    match: string;
    'no-match': string;
    'no-consent': string;
    'insufficient-evidence': string;
    'unknown-segment': string;
    condition: string;
    basedOn: string;
    signal: string;
    lastSeen: string;
    contextOnly: string;
    reliesOn: string;
    noConsentNeeded: string;
    history: string;
    verified: string;
    broken: string;
    empty: string;
    columns: string;
    granted: string;
    revoked: string;
    purged: string;
};
type PreferenceLabels = typeof LABELS;

interface InterestDefinition {
    id: string;
    label: string;
}

interface PreferenceCenterOptions {
    /** The custom element name; default 'cohortkit-preferences'. */
    tag?: string;
    /** The heading of the component; default 'Your privacy choices'; '' for none (e.g. inside your own card). */
    heading?: string;
    /** URL of the shipped `cohortkit-ui.css`, linked where constructable stylesheets are unsupported. */
    stylesheet?: string;
    /** Labels of the declared interests, when `client.interests` does not list them itself. */
    interests?: InterestDefinition[];
    /** Any of the component's texts, e.g. in the site's language (docs/ui.md lists them; `{name}` placeholders are filled in). */
    labels?: Partial<PreferenceLabels>;
}
/**
 * Registers the preference center element for `client`. Every `<cohortkit-preferences>` (or `tag`)
 * then renders, in an open shadow root: a checkbox per purpose (toggling calls `consent.update` with
 * source 'preference-center'), one per declared interest when the client has them, "Download my
 * data", "Forget everything" (confirmed inside the component), the current segments with their
 * explanation, and the consent ledger with its verify() result. Live through `client.on`.
 * @param client a cohortkit Client
 * @param options see PreferenceCenterOptions
 * @throws CohortkitError `invalid-argument` for a missing client, bad options, a tag already defined, or no `customElements`
 */
declare function definePreferenceCenter(client: Client, options?: PreferenceCenterOptions): void;

export { LABELS, definePreferenceCenter };
export type { InterestDefinition, PreferenceCenterOptions, PreferenceLabels };
