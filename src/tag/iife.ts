// Entry of dist/cohortkit.iife.js (global `Cohortkit`). Unlike the rest of src/, it runs at load:
// it reads its config, installs the `window.cohortkit` command queue and, once init resolves,
// fills the page's declarative slots, refilling them on consent and segments changes. The slots
// and decide() live in the add-on cohortkit-personalize.js, fetched only by a page that has a slot
// or calls decide().
import { createClient } from '../client';
import { CohortkitError, isCohortkitError } from '../errors';
import type { fillSlots as Fill, SlotOptions } from './slots';
import { resolveConfig, type ConfigWindow } from './config';
import { loadPersonalize } from './load-personalize';
import { installCommandQueue } from './queue';
import { VERSION } from '../version';

const SLOT = '[data-cohortkit-slot]';
/**
 * `fillSlots` of src/tag/slots.ts, from the add-on (loaded only when `root` holds a slot). If it
 * cannot be loaded, every slot keeps its content, gets `data-cohortkit-reason="error"` and
 * `onError` is called for it, as when decide() rejects.
 */
const fillSlots = async (root: ParentNode, client: Parameters<typeof Fill>[1], opts: SlotOptions = {}): Promise<void> => {
  if (!root.querySelector(SLOT)) return;
  try {
    return (await loadPersonalize()).fillSlots(root, client, opts);
  } catch (e) {
    root.querySelectorAll(SLOT).forEach((el) => (el.setAttribute('data-cohortkit-reason', 'error'), opts.onError?.(e, el)));
  }
};
const refreshSlots = fillSlots;

export { createClient, CohortkitError, isCohortkitError, fillSlots, refreshSlots };
/** The bundle's version (its release, as in package.json). */
export const version = VERSION;

if (typeof document == 'object') {
  const doc = document;
  const warn = (e: unknown) => console.warn('cohortkit:', e);
  const config = resolveConfig(window as unknown as ConfigWindow, doc.currentScript as HTMLScriptElement | null);
  // Slots already in the page, or a decide command queued: fetch the add-on while the client starts.
  const queued = (window as { cohortkit?: unknown }).cohortkit;
  try {
    if (doc.querySelector(SLOT) || (Array.isArray(queued) && queued.some((c) => Array.isArray(c) && c[0] === 'decide'))) loadPersonalize().catch(() => {});
  } catch {
    // a hostile queued command (a throwing getter): the add-on loads when first needed
  }
  installCommandQueue(window as { cohortkit?: unknown }, createClient, { config }).then((client) => {
    const fill = () => void fillSlots(doc, client, { onError: warn });
    if (doc.readyState == 'loading') doc.addEventListener('DOMContentLoaded', fill);
    else fill();
    client.on('consent', fill);
    client.on('segments', fill);
  });
}
