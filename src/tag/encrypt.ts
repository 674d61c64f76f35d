// Stands in for src/storage/encrypt.ts and src/client/load-encrypt.ts in dist/cohortkit.iife.js
// (see rollup.config.mjs): encryption at rest comes from the add-on dist/cohortkit-encrypt.js next
// to the bundle. A file that cannot be loaded is reported (`network`); storage then continues from
// memory (its own `storage` error), so nothing is ever written unencrypted.
import type { CohortkitError } from '../errors';
import type { Store } from '../storage';
import type * as Encrypt from '../addons/encrypt';
import { ownError } from '../client/addon-error';
import { addon } from './addon';

const load = addon<typeof Encrypt>('cohortkit-encrypt.js', 'CohortkitEncrypt', 'encryptedStore');
let early: Promise<typeof Encrypt> | undefined;

/** Begins the load (the client calls it before opening IndexedDB); `encryptedStore` awaits it. */
export const preloadEncryption = (): void => void (early = load()).catch(() => {});

export async function encryptedStore(raw: Store, onError: (e: CohortkitError) => void, name: string): Promise<Store> {
  const p = early ?? load();
  early = undefined;
  const m = await p.catch((e: CohortkitError) => Promise.reject((onError(e), e)));
  // The add-on's errors become this bundle's CohortkitError (storage reads their message).
  const own = (e: unknown) => ownError(e) as CohortkitError;
  return m.encryptedStore(raw, (e) => onError(own(e)), name).catch((e) => Promise.reject(own(e)));
}
