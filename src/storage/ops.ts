import { KEY_PATHS, type StoreName } from './schema';
import type { WriteOp } from './store';

/** Delete ops for stored values of `store` (keyed by its key path: signals by `key`, others by `id`). */
export const deletes = (store: Exclude<StoreName, 'meta'>, values: object[]): WriteOp[] =>
  values.map((v) => ({ type: 'delete', store, key: (v as Record<string, IDBValidKey>)[KEY_PATHS[store]!]! }));

/**
 * The values relying on some purpose for which `lost` is true (withdrawn, or not granted). A stored
 * value without a purpose list (edited by another script) relies on every purpose: any purge takes it.
 */
export const relyingOn = <T extends { purposes: string[] }>(values: T[], lost: (p: string) => boolean): T[] =>
  values.filter((v) => !Array.isArray(v?.purposes) || v.purposes.some(lost));
