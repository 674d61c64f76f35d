// Shared by the preference center tests: real memory clients, a mounted element, polling.
import { afterEach } from 'vitest';
import { createClient, type Client, type ClientOptions } from '../../src/index';
import { definePreferenceCenter } from '../../src/ui';

export const OPTIONS: ClientOptions = {
  storage: 'memory',
  purposes: [
    { id: 'personalization', description: 'Tailor articles to what you read' },
    { id: 'measurement', description: 'Count audiences with <b>randomized</b> reports' },
  ],
  segments: [
    { id: 'sport-fan', description: 'Follows sport', rule: { event: 'article_view', where: { section: 'sport' }, count: { gte: 2 } } },
    { id: 'desktop', description: 'On a desktop', purposes: [], rule: { context: 'device', in: ['desktop', 'mobile', 'tablet'] } },
  ],
};

let n = 0;
/** A fresh number for tags and namespaces. */
export const next = () => ++n;
const clients: Client[] = [];
afterEach(async () => {
  document.body.replaceChildren();
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

export async function until<T>(f: () => T | undefined | false | null, what = 'condition'): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = f();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A client, a registered tag and a mounted element; `root` is its open shadow root. */
export async function mount(options: ClientOptions = OPTIONS, ui: Parameters<typeof definePreferenceCenter>[1] = {}, prepare?: (c: Client) => unknown) {
  const client = await createClient({ ...options, namespace: `ui${next()}` });
  clients.push(client);
  await prepare?.(client);
  const tag = `ck-prefs-${n}`;
  definePreferenceCenter(client, { ...ui, tag });
  const el = document.createElement(tag) as HTMLElement & { refresh(): Promise<void> };
  document.body.append(el);
  const root = el.shadowRoot!;
  await until(() => el.hasAttribute('data-ready'), 'first render');
  const box = (p: string) => root.querySelector<HTMLInputElement>(`input[name="${p}"]`)!;
  const label = (input: HTMLInputElement) => root.querySelector(`label[for="${input.id}"]`)?.textContent ?? '';
  const text = (sel: string) => root.querySelector(sel)?.textContent ?? '';
  const button = (name: string) => [...root.querySelectorAll('button')].find((b) => b.textContent === name)!;
  return { client, el, root, box, label, text, button };
}

export const toggle = (input: HTMLInputElement) => {
  input.checked = !input.checked;
  input.dispatchEvent(new Event('change', { bubbles: true }));
};
