// Entry of dist/cohortkit.iife.js (global `Cohortkit`). Unlike the rest of src/, it runs at load:
// it reads its config, installs the `window.cohortkit` command queue and, once init resolves,
// fills the page's declarative slots, refilling them on consent and segments changes.
import { createClient } from '../client';
import { CohortkitError, isCohortkitError } from '../errors';
import { resolveConfig, type ConfigWindow } from './config';
import { installCommandQueue } from './queue';
import { fillSlots, refreshSlots } from './slots';

export { createClient, CohortkitError, isCohortkitError, fillSlots, refreshSlots };
/** The bundle's version (kept in step with package.json). */
export const version = '0.1.0';

if (typeof document == 'object') {
  const doc = document;
  const warn = (e: unknown) => console.warn('cohortkit:', e);
  const config = resolveConfig(window as unknown as ConfigWindow, doc.currentScript as HTMLScriptElement | null);
  installCommandQueue(window as { cohortkit?: unknown }, createClient, { config }).then((client) => {
    const fill = () => void fillSlots(doc, client, { onError: warn });
    if (doc.readyState == 'loading') doc.addEventListener('DOMContentLoaded', fill);
    else fill();
    client.on('consent', fill);
    client.on('segments', fill);
  });
}
