// definePreferenceCenter(client): registers <cohortkit-preferences> for one client.
import { CohortkitError } from '../errors';
import type { Client } from '../types';
import { ID, STRING, list, obj, read, want, type Obj } from '../validate';
import { h } from './dom';
import { fill, resolveLabels, type PreferenceLabels } from './labels';
import { applyStyles } from './styles';
import { createView, message, type InterestDefinition, type PreferenceView } from './view';

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
const A = 'invalid-argument';
const KEYS = ['tag', 'heading', 'stylesheet', 'interests', 'labels'];
const bad = (path: string, what: string): never => {
  throw new CohortkitError(A, `${path}: ${what}`);
};
const fn = (v: unknown) => typeof v == 'function';

/**
 * `options.interests` copied once ({ id, label } each): ids like the client's (ID), unique, and one
 * of the client's own interests when it lists them (`ClientOptions.interests` itself passes).
 */
function copyInterests(v: unknown, client: Client): InterestDefinition[] | undefined {
  if (v === undefined) return;
  const known = read(() => {
    const api = (client as { interests?: Partial<Client['interests']> }).interests;
    return fn(api?.list) ? api!.list!().map((i) => i.id) : undefined;
  }, 'client.interests', A);
  const seen = new Set<string>();
  return list(v, 'options.interests', 0, A, (x, p) => {
    const o = obj(x, p, ['id', 'label', 'purposes'], A); // the shape of ClientOptions.interests (purposes unused here)
    const id = want(o.id, ID, `${p}.id`, A);
    if (seen.has(id)) bad(`${p}.id`, `duplicate id "${id}"`);
    if (known && !known.includes(id)) bad(`${p}.id`, `"${id}" is not an interest of the client`);
    seen.add(id);
    return { id, label: want(o.label, STRING, `${p}.label`, A) };
  });
}

/**
 * Registers the preference center element for `client`. Every `<cohortkit-preferences>` (or `tag`)
 * then renders, in an open shadow root: a checkbox per purpose (toggling calls `consent.update` with
 * source 'preference-center'), one per declared interest when the client has them, "Download my
 * data", "Forget everything" (confirmed inside the component), the current segments with their
 * explanation, and the consent ledger with its verify() result. Live through `client.on`.
 * Every option is read once, here (own keys only): later changes to `options` change nothing.
 * @param client a cohortkit Client
 * @param options see PreferenceCenterOptions
 * @throws CohortkitError `invalid-argument` naming the option for a missing client, bad options (a throwing getter included), a tag already defined, or no `customElements`
 */
export function definePreferenceCenter(client: Client, options: PreferenceCenterOptions = {}): void {
  const c = client as Partial<Client> | null;
  if (!read(() => !!c && fn(c.consent?.get) && fn(c.consent!.update) && fn(c.on), 'client', A)) bad('client', 'expected a cohortkit Client (from createClient)');
  // A null-prototype copy of the own keys: an enumerable Object.prototype.tag is no option.
  const o: Obj = { __proto__: null, ...obj(options, 'options', KEYS, A) };
  const { tag = 'cohortkit-preferences', heading = 'Your privacy choices', stylesheet } = o as PreferenceCenterOptions;
  const labels = resolveLabels(o.labels);
  if (typeof tag != 'string' || !TAG.test(tag)) bad('options.tag', 'expected a custom element name with a hyphen, like "cohortkit-preferences"');
  if (typeof heading != 'string') bad('options.heading', 'expected a string');
  if (stylesheet !== undefined && typeof stylesheet != 'string') bad('options.stylesheet', 'expected a URL string');
  const interests = copyInterests(o.interests, client);
  const registry = typeof customElements == 'object' ? customElements : undefined;
  if (!registry || typeof HTMLElement != 'function') return bad('definePreferenceCenter', 'needs a browser (customElements)');
  if (registry.get(tag)) bad('options.tag', `"${tag}" is already defined`);

  class PreferenceCenter extends HTMLElement {
    view?: PreferenceView;
    connectedCallback() {
      const root = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
      try {
        if (!this.view) {
          root.replaceChildren(); // a failed attempt's status
          applyStyles(root, stylesheet);
          this.view = createView(root, client, { heading, labels, interests });
        }
        this.view.connect();
      } catch (e) {
        // A client that throws where it should not (createView reads it): a status message, never the page's error.
        root.append(h('p.ck-status', { role: 'status' }, fill(labels.loadFailed, { error: message(e) })));
        this.setAttribute('data-ready', '');
      }
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
