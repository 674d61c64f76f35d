// Declared interests (zero-party data): the visitor's own statements, kept as signals in the
// `signals` store (one record per interest, under the interest's purposes) so that a withdrawal
// purges them through the usual purge path (counted in `purged.signals`) and forget() deletes them.
// declare() (validation and the write) is an add-on loaded on its first call (interests-declare.ts);
// reading, sweeping and dropping them are here, whatever was loaded.
import type { Interest } from '../options';
import { relyingOn, type Store } from '../storage';
import { loadError, ownError } from './addon-error';
import { PREFIX, type StoredInterest } from './interests-keys';
import { loadInterests } from './load-interests';

export interface InterestRuntimeOptions {
  interests: Interest[];
  store: () => Store;
  now: () => number;
  isGranted(purpose: string): boolean;
  exclusive: <T>(fn: () => Promise<T>) => Promise<T>;
}

// A record of the wrong shape (edited by another script) is not an interest we declared.
const isInterest = (x: unknown, known: Map<string, Interest>): x is StoredInterest => {
  const r = x as StoredInterest;
  return (
    !!r && typeof r.key == 'string' && r.key.startsWith(PREFIX) && typeof r.interest == 'string' && known.has(r.interest) &&
    Array.isArray(r.purposes) && r.purposes.every((p) => typeof p == 'string')
  );
};

export function createInterestRuntime(o: InterestRuntimeOptions) {
  const known = new Map(o.interests.map((i) => [i.id, i]));
  /** Declared ids in the order of `options.interests`. */
  let held = new Map<string, StoredInterest>();
  const ordered = () => o.interests.filter((i) => held.has(i.id)).map((i) => i.id);

  return {
    get: (): string[] => ordered(),
    list: () => o.interests.map(({ id, label }) => ({ id, label })),

    /** (Re)load from the store: at start, and when another tab changed it. */
    async load() {
      const all = await o.store().getAll('signals');
      held = new Map(all.filter((x) => isInterest(x, known)).map((x) => [(x as StoredInterest).interest, x as StoredInterest]));
    },

    /**
     * Replace the declared set (all or nothing, see interests-declare.ts). The add-on is loaded on
     * the first call; one that cannot be loaded rejects `network` (nothing changes).
     */
    async declare(ids: unknown): Promise<{ stored: boolean; reason: 'stored' | 'no-consent'; changed: boolean }> {
      const m = await loadInterests().catch((e) => Promise.reject(loadError(e, 'interests.declare: declared interests')));
      try {
        return await m.declareInterests(ids, { ...o, known, load: async () => (await this.load(), held), replace: (next) => (held = next) });
      } catch (e) {
        throw ownError(e);
      }
    },

    /** Delete stored interests whose purposes are not (or no longer) all granted. */
    async sweep() {
      await this.load();
      const gone = relyingOn([...held.values()], (p) => !o.isGranted(p));
      await o.store().write(gone.map((r) => ({ type: 'delete', store: 'signals', key: r.key })));
      gone.forEach((r) => held.delete(r.interest));
    },

    /** Drop the cache after a purge (of `purpose`) or forget (no purpose). */
    forgetPurpose(purpose?: string) {
      for (const [id, r] of held) if (!purpose || r.purposes.includes(purpose)) held.delete(id);
    },
  };
}

export type InterestRuntime = ReturnType<typeof createInterestRuntime>;
