import type { StoreKey, StoreName, StoreValue } from './schema';

/** One write in an atomic batch. */
export type WriteOp =
  | { [S in StoreName]: { type: 'put'; store: S; value: StoreValue<S>; key?: StoreKey<S> } }[StoreName]
  | { type: 'delete'; store: StoreName; key: IDBValidKey }
  | { type: 'clear'; store: StoreName };

/**
 * The storage interface every backend implements (IndexedDB or memory).
 * Writes go through `write`, which applies a batch atomically: all or nothing.
 */
export interface Store {
  readonly kind: 'indexeddb' | 'memory';
  get<S extends StoreName>(store: S, key: StoreKey<S>): Promise<StoreValue<S> | undefined>;
  getAll<S extends StoreName>(store: S): Promise<StoreValue<S>[]>;
  write(ops: WriteOp[]): Promise<void>;
  /** Delete everything, the database itself included. */
  destroy(): Promise<void>;
  close(): void;
}
