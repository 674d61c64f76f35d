import { openDB, type IDBPDatabase } from 'idb';
import { CohortkitError } from '../errors';
import { KEYS_KEY, KEY_PATHS, type StoreName } from './schema';
import { STAMP_KEY, asStamp, type Snapshot, type Stamp, type Store, type WriteOp } from './store';

/**
 * Encryption at rest (`encryptAtRest`): a layer around the IndexedDB Store. Values are AES-GCM
 * encrypted (a fresh 96-bit IV per write, the store name and stored key as additional data, so a
 * record moved to another key fails to decrypt); string keys are replaced by base64url
 * HMAC-SHA-256 of the logical key (deterministic, so get/put/delete still address records).
 * Numeric keys (the ledger's sequence numbers) stay as they are: they order the ledger and
 * carry nothing about the visitor. Both CryptoKeys are non-extractable and kept in the `meta`
 * store under KEY_RECORD, so destroy() (forget) deletes them with the data. Keys are made once
 * per database, atomically across tabs (storeKeysOnce).
 * A record that fails to decrypt is skipped like a malformed one, with one `storage` error, and
 * deleted by the next write (a withdrawal must not leave what it cannot read on disk).
 */
const KEY_RECORD = KEYS_KEY;

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

/** `k` is a CryptoKey of algorithm `name` allowed every one of `uses` (CryptoKey exists wherever crypto.subtle does: checked first). */
const keyFor = (k: any, name: string, ...uses: KeyUsage[]) => k instanceof CryptoKey && k.algorithm.name == name && uses.every((u) => k.usages.includes(u));
/** The pair loadKeys makes, nothing else: a stored AES-CBC key, a key that can't decrypt or an HMAC over SHA-1 is not ours (replaced as if absent). */
const isKeys = (v: any): v is Keys =>
  keyFor(v?.aes, 'AES-GCM', 'encrypt', 'decrypt') && keyFor(v.hmac, 'HMAC', 'sign') && (v.hmac.algorithm as HmacKeyAlgorithm).hash.name == 'SHA-256';

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
 * on disk. The connection never creates the database: if it was deleted
 * meanwhile (a forget() elsewhere) the open is aborted and this rejects.
 */
async function storeKeysOnce(name: string, ours: Keys): Promise<Keys> {
  let db: IDBPDatabase | undefined;
  try {
    // No version: opens what is there (no timeout: an open without a version waits only behind
    // an upgrade or delete of this database, and cohortkit's connections close for those); an
    // upgrade means the database is gone, and is aborted.
    db = await openDB(name, undefined, { upgrade: (_d, _o, _n, tx) => (tx.done.catch(() => undefined), tx.abort()) });
    const names = [...db.objectStoreNames];
    const tx = db.transaction(names, 'readwrite');
    // Every request's failure also fails the transaction: mark them handled, then wait for all.
    const handled = <T>(p: Promise<T>) => (p.catch(() => undefined), p);
    const done = handled(tx.done);
    const got = await tx.objectStore('meta').get(KEY_RECORD);
    if (isKeys(got)) return await done, got;
    try {
      for (const n of names) handled(tx.objectStore(n).clear());
      handled(tx.objectStore('meta').put(ours, KEY_RECORD)); // throws DataCloneError where keys can't be stored
    } catch (e) {
      tx.abort(); // nothing of this transaction may commit
      throw e;
    }
    await done;
    return ours;
  } catch (e) {
    throw new CohortkitError('storage', `storing keys in "${name}": ${(e as Error)?.message ?? e}`, e);
  } finally {
    db?.close();
  }
}

/**
 * The stored keys, or (a new database) keys made now and stored unless another tab stored
 * its own first, in which case those are used (see storeKeysOnce).
 */
async function loadKeys(raw: Store, name: string): Promise<Keys> {
  const got = await raw.get('meta', KEY_RECORD);
  if (isKeys(got)) return got;
  // Made before the transaction: WebCrypto is asynchronous, and an IndexedDB transaction
  // commits as soon as it has no request pending, so the keys cannot be made inside it.
  const s = crypto.subtle;
  return storeKeysOnce(name, {
    aes: await s.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']),
    hmac: (await s.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])) as CryptoKey,
  });
}

/**
 * Wrap an IndexedDB Store (of the database `name`) so nothing it stores is readable without the
 * origin's keys. Rejects (so the caller falls back to memory) when WebCrypto is missing or the
 * keys can't be stored.
 */
export async function encryptedStore(raw: Store, onError: (e: CohortkitError) => void, name: string): Promise<Store> {
  if (typeof crypto === 'undefined' || !crypto.subtle) throw new CohortkitError('storage', 'encryptAtRest needs WebCrypto (crypto.subtle)');
  const keys = await loadKeys(raw, name);
  const s = crypto.subtle;
  let reported = false;
  // Records that failed to open, by their stored key: never readable with these keys (a visit
  // without encryptAtRest, a record moved or edited), so the next write deletes them. Skipped
  // without that, a withdrawal could not see them and left them on disk. Not the ledger's
  // numeric keys: another tab may put its next sealed record at that sequence number meanwhile.
  const junk: WriteOp[] = [];
  const bad = (store: StoreName, key?: IDBValidKey) => {
    if (typeof key == 'string') junk.push({ type: 'delete', store, key });
    if (reported) return;
    reported = true;
    onError(new CohortkitError('storage', `a ${store} record failed to decrypt; ignored`));
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
      bad(store, key);
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
    getAll: async (store) => (await openAll(store, (await raw.getAll(store)) as unknown[])) as never,
    // Signals and memberships decrypted, with the stamp (a random token, stored in clear by the
    // store beneath) read in the same transaction; `meta` itself is not given (its keys are opaque).
    async snapshot(names: StoreName[], claim?: true | string) {
      const wanted = names.filter((n) => n !== 'meta') as Exclude<StoreName, 'meta'>[];
      const snap = await raw.snapshot([...wanted, 'meta'], claim);
      const out: Snapshot = {};
      for (const n of wanted) out[n] = (await openAll(n, (snap[n] ?? []) as unknown[])) as never;
      if (names.includes('meta') && snap.meta) out.stamp = { value: asStamp(snap.meta.get(STAMP_KEY)) };
      return out;
    },
    write: async (ops: WriteOp[]) => raw.write(await sealAll(ops)),
    // Compare-and-write on the sealed ops: the stamp is compared by the store beneath.
    writeIf: async (ops: WriteOp[], stamp: Stamp) => raw.writeIf(await sealAll(ops), stamp),
    destroy: () => raw.destroy(),
    close: () => raw.close(),
  };

  async function openAll(store: StoreName, recs: unknown[]): Promise<unknown[]> {
    const out: unknown[] = [];
    for (const rec of recs) {
      if (store === 'meta' && (isKeys(rec) || typeof rec === 'string')) continue; // our keys; the clear stamp
      // Out-of-line (meta) keys aren't in the value: we keep a copy of the opaque key beside the ciphertext.
      const k = storedKey(store, rec, (rec as { k?: IDBValidKey })?.k);
      const v = k === undefined ? (bad(store), undefined) : await open(store, k, rec);
      if (v !== undefined) out.push(v);
    }
    return out;
  }

  async function sealAll(ops: WriteOp[]): Promise<WriteOp[]> {
    const sealed = junk.splice(0); // first: a put in these ops may reuse a key
    for (const op of ops) {
      if (op.type === 'clear') {
        sealed.push(op);
        if (op.store === 'meta') sealed.push({ type: 'put', store: 'meta', key: KEY_RECORD, value: keys });
        // The clear key too: a visit without encryptAtRest stored `meta` records under it, out of line (no key in the value to find them by).
      } else if (op.type === 'delete') sealed.push({ ...op, key: await opaque(op.store, op.key) }, op);
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
    return sealed;
  }
}
