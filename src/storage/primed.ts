// Cold start: every store read once, in one read transaction, and the start-up reads served
// from that snapshot (each store until something writes to it). Values are copied out, as a
// store would return fresh ones.
import { KEY_PATHS, type StoreName } from './schema';
import { STAMPED, type Snapshot, type Store, type WriteOp } from './store';

const ALL: StoreName[] = ['ledger', 'signals', 'memberships', 'outbox', 'meta'];

/** `store` with its start-up reads served from one snapshot; `release()` ends that. A failed snapshot serves nothing. */
export async function primeStore(store: Store): Promise<Store & { release(): void }> {
  let snap: Snapshot = {};
  try {
    snap = await store.snapshot(ALL, true); // the caches loaded from it hold its stamp: claimed
  } catch {
    /* the reads themselves will fail, and be handled, as without a snapshot */
  }
  const has = (n: StoreName) => (n === 'meta' ? !!snap.meta : !!snap[n]);
  const copy = <T>(v: T): T => (v === undefined ? v : structuredClone(v));
  // A write makes its stores' snapshot stale; one to the stamped stores also changes the stamp (meta).
  const drop = (ops: WriteOp[]) => ops.forEach((op) => (delete snap[op.store], STAMPED.has(op.store) && (delete snap.meta, delete snap.stamp)));
  return {
    get kind() {
      return store.kind;
    },
    get: (n, key) => (has(n) ? Promise.resolve(copy(n === 'meta' ? snap.meta!.get(key as string) : (snap[n as 'signals']!.find((v) => (v as unknown as Record<string, unknown>)?.[KEY_PATHS[n]!] === key) as never))) : store.get(n, key)) as never,
    getAll: (n) => (has(n) ? Promise.resolve(copy(n === 'meta' ? [...snap.meta!.values()] : snap[n as 'signals']!)) : store.getAll(n)) as never,
    snapshot: (names, claim) => (names.every(has) ? Promise.resolve(copy(Object.fromEntries(names.map((n) => [n, snap[n]])) as Snapshot)) : store.snapshot(names, claim)),
    write: (ops) => (drop(ops), store.write(ops)),
    writeIf: (ops, stamp) => (drop(ops), delete snap.meta, delete snap.stamp, store.writeIf(ops, stamp)),
    destroy: () => ((snap = {}), store.destroy()),
    close: () => store.close(),
    changedElsewhere: () => store.changedElsewhere?.(),
    release: () => void (snap = {}),
  };
}
