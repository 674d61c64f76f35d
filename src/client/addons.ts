// The add-ons a client may need, started together before storage opens so that they load while
// it does: the CMP adapters (`interop`), private reporting (`report`, `cohorts`), the visitor
// context reader (a `context` rule) and encryption at rest. Each loads only when configured;
// personalization loads later, on the first decide() (personalization-addon.ts).
import { prepareInterop } from '../consent/interop';
import type { normalizeOptions } from '../options';
import type { Catalog } from '../segments';
import { prepareContext } from './context-addon';
import { preloadEncryption } from './load-encrypt';
import { prepareReporting } from './reporting-addon';

/**
 * Starts every configured add-on. The function it returns resolves once all are settled; an
 * invalid `interop`, `report` or `cohorts` rejects with its `invalid-options` message (after
 * `onInvalid`, which closes what was opened meanwhile), the interop's first.
 */
export function startAddons(opts: ReturnType<typeof normalizeOptions>, purposes: string[], catalog: Catalog, onError: (e: unknown) => void) {
  const interop = prepareInterop(opts.raw.interop, purposes);
  const reporting = prepareReporting(opts.raw, catalog, onError);
  const context = prepareContext(catalog, opts.now, onError);
  if (opts.encryptAtRest && opts.storage !== 'memory') preloadEncryption();
  return async (onInvalid: () => void) => ({ connectInterop: await interop.settle(onInvalid), ...(await reporting.settle(onInvalid)), context: await context });
}
