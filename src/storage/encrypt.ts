import { CohortkitError } from '../errors';
import { KEY_PATHS, type StoreName } from './schema';
import type { Store, WriteOp } from './store';

/**
 * Encryption at rest (`encryptAtRest`): a layer around the IndexedDB Store. Values are AES-GCM
 * encrypted (a fresh 96-bit IV per write, the store name and stored key as additional data, so a
 * record moved to another key fails to decrypt); string keys are replaced by base64url
 * HMAC-SHA-256 of the logical key (deterministic, so get/put/delete still address records).
 * Numeric keys (the ledger's sequence numbers) stay as they are: they order the ledger and
 * carry nothing about the visitor. Both CryptoKeys are non-extractable and kept in the `meta`
 * store under KEY_RECORD, so destroy() (forget) deletes them with the data. Keys are made once
 * per database, atomically across tabs (storeKeysOnce).
 * A record that fails to decrypt is skipped like a malformed one, with one `storage` error.
 */
const KEY_RECORD = 'cohortkit:keys';

interface Keys {
  aes: CryptoKey;
  hmac: CryptoKey;
}
interface Sealed {
  iv: Uint8Array<ArrayBuffer>;
  ct: ArrayBuffer;
}

const enc = new TextEncoder();
const b64url = (b: ArrayBuffer) =>
  btoa(String.fromCharCode(...new Uint8Array(b)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

const isKeys = (v: unknown): v is Keys =>
  !!v && typeof CryptoKey !== 'undefined' && (v as Keys).aes instanceof CryptoKey && (v as Keys).hmac instanceof CryptoKey;

const OPEN_TIMEOUT_MS = 3000;

/** Both keys, non-extractable. */
async function makeKeys(): Promise<Keys> {
  const s = crypto.subtle;
  return {
    aes: await s.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']),
    hmac: (await s.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])) as CryptoKey,
  };
}

/**
 * Stores `ours` under KEY_RECORD unless keys are there already, and returns the keys that are
 * stored, in ONE readwrite transaction on a short-lived connection of its own (the Store
 * interface has no read-then-write transaction). IndexedDB runs readwrite transactions on the
 * same store one at a time across connections and tabs, so of two tabs opening a new database
 * at once exactly one writes its keys and the other adopts them: no Web Lock is needed (Safari
 * before 15.4 has none), and none is taken.
 * The tab that stores keys also deletes, in the same transaction, every record already there:
 * without keys none of them can be ours, and they are in clear (encryptAtRest turned on for an
 * existing database) or sealed with lost keys; left behind they would be ignored but readable
 * on disk. `deleted` counts them. The connection never creates the database: if it was deleted
 * meanwhile (a forget() elsewhere) the open is aborted and this rejects.
 */
function storeKeysOnce(name: string, ours: Keys): Promise<{ keys: Keys; deleted: number }> {
  return new Promise((resolve, reject) => {
    let db: IDBDatabase | undefined;
    let settled = false;
    const done = (err: unknown, got?: { keys: Keys; deleted: number }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      db?.close();
      if (got) resolve(got);
      else reject(err instanceof CohortkitError ? err : new CohortkitError('storage', `storing the encryption keys in "${name}" failed: ${(err as Error)?.message ?? String(err)}`, err));
    };
    const timer = setTimeout(() => done(new CohortkitError('storage', `storing the encryption keys in "${name}" timed out after ${OPEN_TIMEOUT_MS} ms`)), OPEN_TIMEOUT_MS);
    let req: IDBOpenDBRequest;
    try {
      req = indexedDB.open(name);
    } catch (e) {
      return done(e);
    }
    req.onupgradeneeded = () => req.transaction!.abort();
    req.onerror = (e) => (e.preventDefault(), done(req.error ?? new Error('open failed')));
    req.onsuccess = () => {
      db = req.result;
      if (settled) return void db.close(); // timed out meanwhile
      db.onversionchange = () => db!.close();
      try {
        const names = Array.from(db.objectStoreNames);
        const tx = db.transaction(names, 'readwrite');
        const meta = tx.objectStore('meta');
        let keys = ours;
        let deleted = 0;
        const read = meta.get(KEY_RECORD);
        // Nothing may throw out of an IDB callback (the page would see it): a put that can't
        // clone the keys (DataCloneError) aborts the transaction and rejects instead.
        read.onsuccess = () => {
          if (isKeys(read.result)) return void (keys = read.result);
          try {
            for (const n of names) {
              const s = tx.objectStore(n);
              const count = s.count();
              count.onsuccess = () => (deleted += count.result - (n === 'meta' && read.result !== undefined ? 1 : 0));
              s.clear();
            }
            meta.put(ours, KEY_RECORD);
          } catch (e) {
            done(e);
            tx.abort();
          }
        };
        tx.oncomplete = () => done(undefined, { keys, deleted });
        tx.onerror = (e) => e.preventDefault();
        tx.onabort = () => done(tx.error ?? new Error('transaction aborted'));
      } catch (e) {
        done(e);
      }
    };
  });
}

/**
 * The stored keys, or (a new database) keys made now and stored unless another tab stored
 * its own first, in which case those are used (see storeKeysOnce).
 */
async function loadKeys(raw: Store, name: string, onError: (e: CohortkitError) => void): Promise<Keys> {
  const got = await raw.get('meta', KEY_RECORD);
  if (isKeys(got)) return got;
  // Made before the transaction: WebCrypto is asynchronous, and an IndexedDB transaction
  // commits as soon as it has no request pending, so the keys cannot be made inside it.
  const { keys, deleted } = await storeKeysOnce(name, await makeKeys());
  if (deleted > 0)
    onError(new CohortkitError('storage', `encryptAtRest: deleted ${deleted} record(s) stored without these keys (in clear, or under lost keys); they cannot be read or encrypted in place`));
  return keys;
}

/**
 * Wrap an IndexedDB Store (of the database `name`) so nothing it stores is readable without the
 * origin's keys. Rejects (so the caller falls back to memory) when WebCrypto is missing or the
 * keys can't be stored.
 */
export async function encryptedStore(raw: Store, onError: (e: CohortkitError) => void, name: string): Promise<Store> {
  if (typeof crypto === 'undefined' || !crypto.subtle) throw new CohortkitError('storage', 'encryptAtRest needs WebCrypto (crypto.subtle)');
  const keys = await loadKeys(raw, name, onError);
  const s = crypto.subtle;
  let reported = false;
  const bad = (store: StoreName) => {
    if (reported) return;
    reported = true;
    onError(new CohortkitError('storage', `a ${store} record failed to decrypt (tampered, or written with another key); ignored`));
  };
  const opaque = async (store: StoreName, key: IDBValidKey): Promise<IDBValidKey> =>
    typeof key === 'number' ? key : b64url(await s.sign('HMAC', keys.hmac, enc.encode(`${store}\u0000${JSON.stringify(key)}`)));
  const aad = (store: StoreName, key: IDBValidKey) => enc.encode(`${store}\u0000${String(key)}`);
  const seal = async (store: StoreName, key: IDBValidKey, value: unknown): Promise<Sealed> => {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ct = await s.encrypt({ name: 'AES-GCM', iv, additionalData: aad(store, key) }, keys.aes, enc.encode(JSON.stringify(value)));
    return { iv, ct };
  };
  /** The logical value, or undefined (reported once) for a record that isn't ours or fails to decrypt. */
  const open = async (store: StoreName, key: IDBValidKey, rec: unknown): Promise<unknown> => {
    try {
      const { iv, ct } = rec as Sealed;
      const pt = await s.decrypt({ name: 'AES-GCM', iv, additionalData: aad(store, key) }, keys.aes, ct);
      return JSON.parse(new TextDecoder().decode(pt));
    } catch {
      bad(store);
      return undefined;
    }
  };
  const storedKey = (store: StoreName, rec: unknown, key?: IDBValidKey) =>
    key ?? (rec as Record<string, IDBValidKey> | undefined)?.[KEY_PATHS[store] ?? ''];

  return {
    kind: raw.kind,
    async get(store, key) {
      const k = await opaque(store, key);
      const rec = await raw.get(store, k as never);
      return (rec === undefined ? undefined : await open(store, k, rec)) as never;
    },
    async getAll(store) {
      const recs = (await raw.getAll(store)) as unknown[];
      const out: unknown[] = [];
      for (const rec of recs) {
        if (store === 'meta' && isKeys(rec)) continue;
        // Out-of-line (meta) keys aren't in the value: we keep a copy of the opaque key beside the ciphertext.
        const k = storedKey(store, rec, (rec as { k?: IDBValidKey })?.k);
        const v = k === undefined ? (bad(store), undefined) : await open(store, k, rec);
        if (v !== undefined) out.push(v);
      }
      return out as never;
    },
    async write(ops: WriteOp[]) {
      const sealed: WriteOp[] = [];
      for (const op of ops) {
        if (op.type === 'clear') {
          sealed.push(op);
          if (op.store === 'meta') sealed.push({ type: 'put', store: 'meta', key: KEY_RECORD, value: keys });
        } else if (op.type === 'delete') sealed.push({ ...op, key: await opaque(op.store, op.key) });
        else {
          const path = KEY_PATHS[op.store];
          const logical = op.key ?? (op.value as Record<string, IDBValidKey>)[path!]!;
          const k = await opaque(op.store, logical);
          const box = await seal(op.store, k, op.value);
          sealed.push(
            path
              ? ({ type: 'put', store: op.store, value: { [path]: k, ...box } } as WriteOp)
              : ({ type: 'put', store: op.store, key: k, value: { k, ...box } } as WriteOp),
          );
        }
      }
      await raw.write(sealed);
    },
    destroy: () => raw.destroy(),
    close: () => raw.close(),
  };
}
