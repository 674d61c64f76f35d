// Page functions (serialized into the page, so self-contained) that read IndexedDB directly, the
// same way in Chromium, Firefox and WebKit.

/** The databases to read: `indexedDB.databases()` where the engine has it, else `fallback`. */
export interface DumpArg {
  fallback: string[];
}

/**
 * Every key and value of every object store of the origin's databases, as one string:
 * `[db, store, keys, values]` per store, CryptoKeys shown as `[CryptoKey <alg> <type> <extractable> <usages, sorted>]`,
 * ArrayBuffers and typed arrays as latin1 text (so plaintext inside bytes would show), Dates as ISO.
 * Only databases that exist are opened (one missing from `fallback` is not created).
 */
export const dumpIndexedDB = async (arg: DumpArg): Promise<{ text: string; databases: string[]; records: number }> => {
  const names =
    typeof indexedDB.databases == 'function' ? (await indexedDB.databases()).map((d) => d.name!) : arg.fallback;
  const out: unknown[] = [];
  const seen: string[] = [];
  let records = 0;
  for (const name of names) {
    const db = await new Promise<IDBDatabase | undefined>((resolve, reject) => {
      const r = indexedDB.open(name);
      r.onupgradeneeded = () => r.transaction!.abort(); // not there: don't create it
      r.onsuccess = () => resolve(r.result);
      r.onerror = (e) => (e.preventDefault(), r.error?.name === 'AbortError' ? resolve(undefined) : reject(r.error));
    });
    if (!db) continue;
    seen.push(name);
    for (const store of Array.from(db.objectStoreNames)) {
      const tx = db.transaction(store);
      const get = (req: IDBRequest) => new Promise<unknown[]>((res, rej) => ((req.onsuccess = () => res(req.result)), (req.onerror = () => rej(req.error))));
      const keys = await get(tx.objectStore(store).getAllKeys());
      const values = await get(tx.objectStore(store).getAll());
      records += values.length;
      out.push(name, store, keys, values);
    }
    db.close();
  }
  const bytes = (v: ArrayBuffer | ArrayBufferView) =>
    String.fromCharCode(...new Uint8Array(v instanceof ArrayBuffer ? v : v.buffer, v instanceof ArrayBuffer ? 0 : v.byteOffset, v.byteLength));
  const text = JSON.stringify(out, function (this: Record<string, unknown>, k, v) {
    const raw = this[k]; // before toJSON (a Date)
    if (typeof CryptoKey != 'undefined' && raw instanceof CryptoKey)
      return `[CryptoKey ${raw.algorithm.name} ${raw.type} ${raw.extractable ? 'extractable' : 'non-extractable'} ${[...raw.usages].sort().join(',')}]`;
    if (raw instanceof ArrayBuffer || ArrayBuffer.isView(raw)) return bytes(raw as ArrayBuffer);
    if (raw instanceof Date) return raw.toISOString();
    return v;
  });
  return { text, databases: seen, records };
};

/** Whether the database `name` exists: from `indexedDB.databases()`, or, without it, by opening it (aborting a creation). */
export const databaseExists = async (name: string): Promise<boolean> => {
  if (typeof indexedDB.databases == 'function') return (await indexedDB.databases()).some((d) => d.name === name);
  return new Promise<boolean>((resolve, reject) => {
    const r = indexedDB.open(name);
    r.onupgradeneeded = () => r.transaction!.abort();
    r.onsuccess = () => (r.result.close(), resolve(true));
    r.onerror = (e) => (e.preventDefault(), r.error?.name === 'AbortError' ? resolve(false) : reject(r.error));
  });
};
