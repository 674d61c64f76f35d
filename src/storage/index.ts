import { CohortkitError } from '../errors';
import { dbName, deleteIDB, openIDBStore } from './idb-store';
import { createMemoryStore } from './memory-store';
import type { Stamp, Store, WriteOp } from './store';
import { KEYS_KEY, type StoreName } from './schema';

export { deletes, relyingOn } from './ops';

export type { Store, WriteOp, Stamp, Snapshot } from './store';
export { STAMP_KEY, stampBase } from './store';
export type { StoredSignal, StoredMembership, OutboxEntry, StoreName, CohortkitDB } from './schema';
export { DB_VERSION } from './schema';
export { dbName } from './idb-store';
export { createMemoryStore } from './memory-store';
export { createPendingWrites, type PendingWrites } from './pending';

export interface OpenStoreOptions {
  storage: 'indexeddb' | 'memory';
  namespace: string;
  /** Encrypt values and make keys opaque in IndexedDB (see encrypt.ts); memory stores are left as they are. */
  encryptAtRest?: boolean;
  /** Called with a `storage` error whenever we fall back to memory or lose the database. */
  onError: (error: CohortkitError) => void;
  /**
   * Called (in the versionchange event) when another page deleted the database: a forget()
   * there. The caller drops what it holds in memory before anything planned from it is written.
   */
  onDeleted?: () => void;
}

/**
 * Open the store the options ask for, falling back to memory when IndexedDB is missing,
 * throws or stays blocked. If another page upgrades or deletes the database while we
 * are open, the next operation reopens it, or continues from memory when it can't.
 * Never rejects for a storage fault at open time.
 */
export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  let current: Store;
  let lost = false;
  /** A reopen in progress: every operation that arrives meanwhile waits for the same one. */
  let opening: Promise<Store> | undefined;
  /** The database was deleted elsewhere (a forget() in another tab): reads must not recreate it. */
  let deleted = false;
  /** Another tab announced a write since the deletion (see changedElsewhere). */
  let lookAgain = false;
  const onLost = (why: string) => {
    lost = true;
    deleted = why === 'deleted';
    if (deleted)
      try {
        lookAgain = false; // only a message that follows the deletion counts
        opts.onDeleted?.();
      } catch (e) {
        opts.onError(new CohortkitError('storage', 'dropping the state of a database deleted elsewhere failed', e));
      }
  };
  /**
   * Whether the database exists again (another page wrote); true when the engine cannot tell.
   * Asked only after another tab announced a write (changedElsewhere): right after a deletion,
   * `databases()` can still list the database being deleted (seen in Chromium, Firefox and
   * WebKit), and an open then would recreate it. Another tab's message is posted after its
   * write, so by then a deletion it follows is over.
   */
  const exists = async () => {
    try {
      return typeof indexedDB.databases != 'function' || (await indexedDB.databases()).some((d) => d.name === dbName(opts.namespace));
    } catch {
      return true;
    }
  };
  /** (Re)open IndexedDB (reporting `note` once it is open), or continue from memory. */
  /** encryptAtRest, or a database found to have keys (see snapshot below). */
  let encrypt = opts.encryptAtRest;
  const reopen = async (note?: string) => {
    try {
      const raw = await openIDBStore(opts.namespace, onLost);
      // The crypto layer loads on demand (ESM): only clients that ask for it pay its bytes.
      current = encrypt ? await (await import('./encrypt')).encryptedStore(raw, opts.onError, dbName(opts.namespace)).catch((e) => (raw.close(), Promise.reject(e))) : raw;
      if (note) opts.onError(new CohortkitError('storage', note));
    } catch (e) {
      current = createMemoryStore();
      opts.onError(
        new CohortkitError('storage', `${e instanceof CohortkitError ? e.message : 'IndexedDB unavailable'}; continuing from memory`, e),
      );
    }
    opening = undefined;
    return current;
  };
  if (opts.storage === 'memory') current = createMemoryStore();
  else await reopen();
  // After destroy() the database stays deleted until something is written again, here or
  // (announced by a message) in another tab.
  let reopenOnWrite = false;
  const ready = (forWrite = false): Promise<Store> => {
    if (lost && deleted) (lost = deleted = false), (current = createMemoryStore()), (reopenOnWrite = true);
    if (reopenOnWrite && forWrite) (reopenOnWrite = false), (opening = reopen());
    else if (reopenOnWrite && !opening && lookAgain)
      (lookAgain = false),
        (opening = exists().then((again) => (again && reopenOnWrite ? ((reopenOnWrite = false), reopen()) : ((opening = undefined), current))));
    else if (lost) (lost = false), (opening = reopen('the IndexedDB connection was lost (closed, upgraded or deleted elsewhere); reopened it'));
    return opening ?? Promise.resolve(current);
  };
  // An operation that hit a connection closed under us (or replaced meanwhile) retries once on the reopened store.
  const run = async <T>(fn: (s: Store) => Promise<T>, forWrite = false): Promise<T> => {
    const s = await ready(forWrite);
    try {
      return await fn(s);
    } catch (e) {
      if (!lost && s === current) throw e;
      return fn(await ready(forWrite));
    }
  };
  return {
    get kind() {
      return reopenOnWrite ? 'indexeddb' : current.kind;
    },
    get: (store, key) => run((s) => s.get(store, key)),
    getAll: (store) => run((s) => s.getAll(store)),
    // An empty batch is a no-op (it must not recreate a destroyed database).
    // Deletes alone (a tab sweeping after a forget() elsewhere) must not recreate a deleted database either.
    write: async (ops: WriteOp[]) => void (ops.length && (await run((s) => s.write(ops), ops.some((o) => o.type === 'put')))),
    // A deleted database has no stamp: a write planned against one it had is refused (false)
    // without recreating the database, and the caller replans from what it holds now.
    writeIf: (ops: WriteOp[], stamp: Stamp) =>
      (reopenOnWrite || (lost && deleted)) && stamp.expect !== undefined ? Promise.resolve(false) : run((s) => s.writeIf(ops, stamp), ops.some((o) => o.type === 'put')),
    // A database that has keys stays encrypted whatever the page says: without encryptAtRest a
    // page read none of it (consent back to unset, the banner again) and wrote in clear beside
    // the sealed records (two ledgers on one sequence). Seen in the cold start's snapshot (no
    // read of its own); then the database is reopened encrypted and read again.
    snapshot: (names: StoreName[], claim?: true | string) =>
      run(async (s) => {
        const snap = await s.snapshot(names, claim);
        const k = snap.meta?.get(KEYS_KEY) as { aes?: unknown } | undefined;
        if (encrypt || !(typeof CryptoKey < 'u' && k?.aes instanceof CryptoKey)) return snap;
        encrypt = true;
        s.close();
        return (await (opening = reopen())).snapshot(names, claim);
      }),
    async destroy() {
      const s = await ready();
      await s.destroy();
      if (s.kind === 'indexeddb') {
        current = createMemoryStore();
        reopenOnWrite = true;
        lookAgain = false;
      }
      // From memory (asked for, or fallen back to when IndexedDB failed): the database an earlier
      // page left holds what forget() deletes too.
      else await deleteIDB(dbName(opts.namespace));
    },
    close() {
      current.close();
    },
    changedElsewhere() {
      lookAgain = true;
    },
  };
}
