// Persistent storage (`navigator.storage.persist()`), asked for only when the site opts in:
// Firefox shows the visitor a prompt, which may never be answered, so the request is never awaited.
import { CohortkitError } from '../errors';
import type { StoragePersistence } from '../types';

interface StorageManagerLike {
  persist?: () => Promise<boolean>;
  persisted?: () => Promise<boolean>;
}

/** A read of `persisted()` that does not answer within this is reported `unavailable`. */
const READ_TIMEOUT_MS = 1000;

const manager = (): StorageManagerLike | undefined => {
  try {
    return typeof navigator === 'undefined' ? undefined : ((navigator as { storage?: StorageManagerLike }).storage ?? undefined);
  } catch {
    return undefined; // a hostile getter
  }
};

/**
 * @param request ask for persistence now (the `persistStorage` option on an IndexedDB store)
 * @param onError gets a `storage` error when the request fails (it never throws here)
 * @returns `state()`: the current persistence, never rejecting, answering within a second
 */
export function createPersistence(request: boolean, onError: (e: CohortkitError) => void) {
  const m = manager();
  let pending = false;
  if (request && typeof m?.persist === 'function') {
    pending = true;
    // A persist() that throws synchronously, rejects or never settles: none reaches the page.
    void Promise.resolve()
      // Ask only when not persisted yet (Firefox remembers the answer; Chromium decides silently).
      .then(() => (typeof m.persisted === 'function' ? m.persisted() : false))
      .then((already) => already === true || m.persist!())
      .catch((e) => onError(new CohortkitError('storage', `navigator.storage.persist() failed: ${String(e)}`, e)))
      .finally(() => (pending = false));
  }
  return {
    async state(usable: boolean): Promise<StoragePersistence> {
      if (!usable || typeof m?.persisted !== 'function') return 'unavailable';
      if (pending) return 'pending';
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        const read = Promise.resolve().then(() => m.persisted!());
        const late = new Promise<'late'>((r) => (timer = setTimeout(r, READ_TIMEOUT_MS, 'late')));
        const v = await Promise.race([read, late]);
        return v === 'late' ? 'unavailable' : v === true ? 'persisted' : 'best-effort';
      } catch {
        return 'unavailable';
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
