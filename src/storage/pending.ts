// Writes the store could not take (quota, an aborted transaction, a closed database), kept in
// memory, laid over what the store holds, and written again with the next batch.
import { KEY_PATHS, type StoreName, type StoreValue } from './schema';
import type { Store, WriteOp } from './store';

type Keyed = Exclude<WriteOp, { type: 'clear' }>;

/** The key a put or delete addresses (the key path's value for stores that have one). */
export const keyOf = (op: Keyed): IDBValidKey =>
  op.type === 'delete' ? op.key : ((KEY_PATHS[op.store] ? (op.value as Record<string, IDBValidKey>)[KEY_PATHS[op.store]!] : op.key) as IDBValidKey);

export interface PendingWrites {
  /** How many writes wait (0 once everything is stored). */
  readonly size: number;
  /** `stored` (values of `store` as read) with the waiting puts and deletes applied, in key order. */
  view<S extends Exclude<StoreName, 'meta'>>(store: S, stored: StoreValue<S>[]): StoreValue<S>[];
  /** The waiting value of one key: `{ value }` (undefined for a delete), or undefined if none waits. */
  peek(store: StoreName, key: IDBValidKey): { value: unknown } | undefined;
  /** True when a put of this key waits (written by us, not yet stored). */
  waits(store: StoreName, key: IDBValidKey): boolean;
  /**
   * Write what waits and then `ops` (later ops win per key) in one batch. On failure everything
   * stays waiting, for the next write; returns the error (never throws), or undefined.
   */
  write(store: Store, ops: WriteOp[]): Promise<unknown>;
  /** Stop waiting for writes that match (their data was purged). */
  drop(match: (op: Keyed) => boolean): void;
}

/** Pending writes of puts and deletes (not `clear`, which is never deferred). */
export function createPendingWrites(): PendingWrites {
  let waiting = new Map<string, Keyed>();
  const id = (store: StoreName, key: IDBValidKey) => `${store}\u0000${JSON.stringify(key)}`;
  return {
    get size() {
      return waiting.size;
    },
    view(store, stored) {
      const path = KEY_PATHS[store]!;
      const out = new Map(stored.map((v) => [id(store, (v as unknown as Record<string, IDBValidKey>)[path]!), v]));
      for (const [k, op] of waiting)
        if (op.store === store) op.type === 'put' ? out.set(k, op.value as (typeof stored)[number]) : out.delete(k);
      return [...out.values()].sort((a, b) => {
        const x = (a as unknown as Record<string, string>)[path]!;
        const y = (b as unknown as Record<string, string>)[path]!;
        return x < y ? -1 : x > y ? 1 : 0;
      });
    },
    peek(store, key) {
      const op = waiting.get(id(store, key));
      return op && { value: op.type === 'put' ? op.value : undefined };
    },
    waits: (store, key) => waiting.get(id(store, key))?.type === 'put',
    async write(store, ops) {
      const next = new Map(waiting);
      const clears: WriteOp[] = [];
      for (const op of ops) {
        if (op.type !== 'clear') next.set(id(op.store, keyOf(op)), op);
        else {
          clears.push(op);
          for (const [k, w] of next) if (w.store === op.store) next.delete(k);
        }
      }
      if (!next.size && !clears.length) return undefined;
      try {
        await store.write([...clears, ...next.values()]);
        waiting = new Map();
        return undefined;
      } catch (e) {
        waiting = next;
        return e;
      }
    },
    drop(match) {
      for (const [k, op] of waiting) if (match(op)) waiting.delete(k);
    },
  };
}
