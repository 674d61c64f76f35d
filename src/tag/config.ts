import type { ClientOptions } from '../types';
import { isPlainObject } from '../validate';

/** What `resolveConfig` reads from the window. */
export interface ConfigWindow {
  cohortkitConfig?: unknown;
  location: { href: string; origin: string };
  fetch(input: string, init?: RequestInit): Promise<Pick<Response, 'ok' | 'status' | 'json'>>;
}

/**
 * Finds the tag bundle's configuration. `window.cohortkitConfig` (an object) wins; otherwise the
 * script's `data-config` attribute names a JSON file, resolved against the page's location and fetched
 * (`credentials: 'same-origin'`) only when same-origin. Never rejects: a cross-origin URL, a failed
 * fetch or a non-object body resolves `undefined` with a console warning.
 * @param win the window (`cohortkitConfig`, `location`, `fetch`)
 * @param script the bundle's `<script>` element (`document.currentScript`), or null
 */
export async function resolveConfig(
  win: ConfigWindow,
  script: Pick<HTMLScriptElement, 'getAttribute'> | null,
): Promise<ClientOptions | undefined> {
  if (isPlainObject(win.cohortkitConfig)) return win.cohortkitConfig as ClientOptions;
  const attr = script?.getAttribute('data-config');
  if (!attr) return;
  let why = 'could not be loaded';
  try {
    const url = new URL(attr, win.location.href);
    if (url.origin != win.location.origin) {
      why = 'refused: not same-origin';
    } else {
      const res = await win.fetch(url.href, { credentials: 'same-origin' });
      if (!res.ok) throw res.status;
      const json: unknown = await res.json();
      if (isPlainObject(json)) return json as ClientOptions;
      why = 'is not a JSON object';
    }
  } catch (e) {
    why += ` (${e})`;
  }
  console.warn(`cohortkit: data-config ${attr} ${why}`);
}
