// Writes the store could not take (quota, an aborted transaction, a closed database), kept in
// memory, laid over what the store holds, and written again with the next batch.
import { KEY_PATHS, type StoreName, type StoreValue } from './schema';
import type { Store, WriteOp } from './store';

type Keyed = Exclude<WriteOp, { type: 'clear' }>;

export interface PendingWrites {
  /** How many writes wait (0 once everything is stored). */
  readonly size: number;
  /** `stored` (values of `store` as read) with the waiting puts and deletes applied. */
  view<S extends Exclude<StoreName, 'meta'>>(store: S, stored: StoreValue<S>[]): StoreValue<S>[];
  /**
   * Write what waits and then `ops` (puts and deletes; later ops win per key) in one batch. On
   * failure what waited still waits, and `ops` too unless `keep` is false; returns the error
   * (never throws).
   */
  write(store: Store, ops: WriteOp[], keep?: boolean): Promise<unknown>;
  /** Stop waiting for writes that match (their data was purged). */
  drop(match: (op: Keyed) => boolean): void;
}

export function createPendingWrites(): PendingWrites {
  let waiting = new Map<string, Keyed>();
  const id = (store: StoreName, key: unknown) => store + '\0' + JSON.stringify(key);
  /** The key an op addresses (the key path's value for stores that have one). */
  const keyOf = (op: Keyed) => (op.type == 'delete' || !KEY_PATHS[op.store] ? op.key : (op.value as Record<string, unknown>)[KEY_PATHS[op.store]!]);
  return {
    get size() {
      return waiting.size;
    },
    view(store, stored) {
      const out = new Map(stored.map((v) => [id(store, (v as unknown as Record<string, unknown>)[KEY_PATHS[store]!]), v]));
      for (const [k, op] of waiting) if (op.store == store) op.type == 'put' ? out.set(k, op.value as (typeof stored)[number]) : out.delete(k);
      return [...out.values()];
    },
    async write(store, ops, keep = true) {
      const next = new Map(waiting);
      for (const op of ops as Keyed[]) next.set(id(op.store, keyOf(op)), op);
      if (!next.size) return;
      try {
        await store.write([...next.values()]);
        waiting = new Map();
      } catch (e) {
        if (keep) waiting = next;
        return e;
      }
    },
    drop(match) {
      for (const [k, op] of waiting) if (match(op)) waiting.delete(k);
    },
  };
}
