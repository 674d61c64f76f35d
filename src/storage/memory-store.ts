import { KEY_PATHS, type StoreName } from './schema';
import { STAMP_KEY, STAMPED, nextStamp, type Snapshot, type Stamp, type Store, type WriteOp } from './store';

const NAMES: StoreName[] = ['ledger', 'signals', 'memberships', 'outbox', 'meta'];

/** The memory backend: same interface, gone with the page. Values are cloned in and out like IndexedDB's. */
export function createMemoryStore(): Store {
  let maps = new Map<StoreName, Map<unknown, unknown>>(NAMES.map((n) => [n, new Map()]));
  const clone = <T>(v: T): T => (v === undefined ? v : structuredClone(v));
  const sorted = (m: Map<unknown, unknown>) =>
    [...m.entries()].sort(([a], [b]) => (a! < b! ? -1 : a! > b! ? 1 : 0)).map(([, v]) => clone(v));
  // One page only: a counter tells writes apart (no random draw: seeded tests keep their sequence).
  let writes = 0;
  /** Like IndexedDB's (idb-store.ts): all or nothing, stamped, compare-and-write with `stamp`. */
  const apply = async (ops: WriteOp[], stamp?: Stamp): Promise<string | false> => {
    const left = stamp && nextStamp(maps.get('meta')!.get(STAMP_KEY), stamp);
    if (left === false) return false;
    // Validate first, apply after: all or nothing.
    const staged = new Map([...maps].map(([n, m]) => [n, new Map(m)]));
    for (const op of ops) {
      const m = staged.get(op.store)!;
      if (op.type === 'clear') m.clear();
      else if (op.type === 'delete') m.delete(op.key);
      else {
        const path = KEY_PATHS[op.store];
        const key = path ? (op.value as Record<string, unknown>)[path] : op.key;
        m.set(key, clone(op.value));
      }
    }
    if (left || ops.some((o) => STAMPED.has(o.store))) staged.get('meta')!.set(STAMP_KEY, left || `m${++writes}`);
    maps = staged;
    return left || '';
  };
  return {
    kind: 'memory',
    async get(store, key) {
      return clone(maps.get(store)!.get(key)) as never;
    },
    async getAll(store) {
      return sorted(maps.get(store)!) as never;
    },
    write: (ops: WriteOp[]) => apply(ops).then(() => undefined),
    writeIf: (ops: WriteOp[], stamp: Stamp) => apply(ops, stamp),
    // No claim (see stampBase): no other tab shares this store, so nobody else loads under a stamp.
    async snapshot(names) {
      const out: Snapshot = {};
      for (const n of names) {
        if (n === 'meta') out.meta = new Map([...maps.get('meta')!].map(([k, v]) => [k as string, clone(v)]));
        else out[n] = sorted(maps.get(n)!) as never;
      }
      return out;
    },
    async destroy() {
      for (const m of maps.values()) m.clear();
    },
    close() {},
  };
}
