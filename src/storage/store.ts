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
  /**
   * Compare-and-write in one readwrite transaction: when the stamp (meta STAMP_KEY) is
   * `stamp.expect` (claimed or not, see {@link nextStamp}), apply `ops` and resolve the stamp
   * now stored; otherwise write nothing and resolve false.
   */
  writeIf(ops: WriteOp[], stamp: Stamp): Promise<string | false>;
  /**
   * Every record of `names` in one transaction (meta as key → value, or only its `stamp`). With
   * `claim`, the stamp read is claimed in the same transaction (see {@link claimed}): unless it
   * is `claim` itself, the stamp the caller put and holds.
   */
  snapshot(names: StoreName[], claim?: true | string): Promise<Snapshot>;
  /** Delete everything, the database itself included. */
  destroy(): Promise<void>;
  /**
   * Another tab announced a write (its message is posted after the write): a database deleted
   * here or elsewhere may exist again, so the next operation looks for it. Optional.
   */
  changedElsewhere?(): void;
  close(): void;
}

/** What a compare-and-write expects the stamp to be, and what it sets it to. */
export interface Stamp {
  expect: string | undefined;
  next: string;
  /** The caller put `expect` itself and has held it since: if it is stored unclaimed, it stays (no put). */
  keep?: boolean;
}

export type Snapshot = { [S in Exclude<StoreName, 'meta'>]?: StoreValue<S>[] } & {
  meta?: Map<string, unknown>;
  /** The stamp (STAMP_KEY), read in the same transaction, where `meta` itself is not given (encryption: its keys are opaque). */
  stamp?: { value: string | undefined };
};

/**
 * The stamp of the signals and memberships stores: every write to them (in any tab) puts a new
 * one in the same transaction, or keeps one the writer holds unclaimed (see {@link stampBase}),
 * so a tab whose cache was loaded or written under stamp X knows, by reading the stamp, whether
 * anything else wrote since. A random token, nothing about the visitor.
 */
export const STAMP_KEY = 'cohortkit:stamp';
export const STAMPED: ReadonlySet<StoreName> = new Set(['signals', 'memberships']);

/** A stored stamp as compared: anything but a string (written by another script) is none. */
export const asStamp = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * The stamp a stored value stands for: `S~` is S claimed by a tab that loaded its caches under
 * S. A writer that put S and has held it since writes on without a new stamp (its put was ≈ 0.3×
 * a track's transaction) as long as S is stored unclaimed: nobody else can have loaded under S.
 * Once claimed, the next write under S puts a new stamp, so the claimer's compare fails and it
 * reloads. A load claims S in the transaction that reads the caches (the snapshot's `claim`).
 */
export const stampBase = (v: unknown): string | undefined => asStamp(v)?.split('~')[0] || undefined;

/** What a load under `v` stores: S claimed; undefined when there is nothing to claim (no stamp, claimed already, or `mine`). */
export const claimed = (v: unknown, mine?: true | string): string | undefined => {
  const s = asStamp(v);
  return s && !s.includes('~') && s !== mine ? `${s}~` : undefined;
};

/** The stamp a compared write under `cur` (as stored) leaves, or false: refused (another writer came first). */
export const nextStamp = (cur: unknown, s: Stamp): string | false =>
  stampBase(cur) !== s.expect ? false : s.keep && s.expect && cur === s.expect ? s.expect : s.next;

/**
 * A stamp no other writer makes: this page's random prefix (96 bits, drawn once) and a counter.
 * (A draw per write was ~2% of a track's profile; a stamp needs uniqueness, not secrecy.)
 */
export const newStamp = (): string => {
  if (!stampPrefix) for (const x of crypto.getRandomValues(new Uint8Array(12))) stampPrefix += x.toString(16).padStart(2, '0');
  return `${stampPrefix}.${(++stamps).toString(36)}`;
};
let stampPrefix = '';
let stamps = 0;
