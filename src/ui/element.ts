// definePreferenceCenter(client): registers <cohortkit-preferences> for one client.
import { CohortkitError } from '../errors';
import type { Client } from '../types';
import { isPlainObject } from '../validate';
import { resolveLabels, type PreferenceLabels } from './labels';
import { applyStyles } from './styles';
import { createView, type InterestDefinition, type PreferenceView } from './view';

export interface PreferenceCenterOptions {
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

const TAG = /^[a-z][a-z0-9._]*-[a-z0-9._-]*$/;
const bad = (path: string, what: string): never => {
  throw new CohortkitError('invalid-argument', `${path}: ${what}`);
};

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
export function definePreferenceCenter(client: Client, options: PreferenceCenterOptions = {}): void {
  const c = client as Partial<Client> | null;
  if (!c || typeof c.consent?.get != 'function' || typeof c.consent.update != 'function' || typeof c.on != 'function')
    bad('client', 'expected a cohortkit Client (from createClient)');
  if (!isPlainObject(options)) bad('options', 'expected a plain object');
  const { tag = 'cohortkit-preferences', heading = 'Your privacy choices', stylesheet, interests, labels: texts, ...rest } = options;
  for (const k in rest) bad(`options.${k}`, 'unknown key, expected one of tag, heading, stylesheet, interests, labels');
  const labels = resolveLabels(texts);
  if (typeof tag != 'string' || !TAG.test(tag)) bad('options.tag', 'expected a custom element name with a hyphen, like "cohortkit-preferences"');
  if (typeof heading != 'string') bad('options.heading', 'expected a string');
  if (stylesheet !== undefined && typeof stylesheet != 'string') bad('options.stylesheet', 'expected a URL string');
  if (interests !== undefined && (!Array.isArray(interests) || !interests.every((i) => isPlainObject(i) && typeof i.id == 'string' && typeof i.label == 'string')))
    bad('options.interests', 'expected an array of { id, label }');
  const registry = typeof customElements == 'object' ? customElements : undefined;
  if (!registry || typeof HTMLElement != 'function') return bad('definePreferenceCenter', 'needs a browser (customElements)');
  if (registry.get(tag)) bad('options.tag', `"${tag}" is already defined`);

  class PreferenceCenter extends HTMLElement {
    view?: PreferenceView;
    connectedCallback() {
      if (!this.view) {
        const root = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
        applyStyles(root, stylesheet);
        this.view = createView(root, client, { heading, labels, interests: interests?.map((i) => ({ id: i.id, label: i.label })) });
      }
      this.view.connect();
    }
    disconnectedCallback() {
      this.view?.disconnect();
    }
    /** Re-reads the client's state now (it also follows client.on('consent' | 'segments')). */
    refresh(): Promise<void> {
      return this.view?.refresh() ?? Promise.resolve();
    }
  }
  registry.define(tag, PreferenceCenter);
}
