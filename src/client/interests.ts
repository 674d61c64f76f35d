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

// A record of the wrong shape (edited by another script), of an interest the options no longer
// declare, or not under every purpose the options give its interest is not an interest we
// declared: judged by the options, not by what it claims (`purposes: []` would outlive every withdrawal).
const isInterest = (x: unknown, known: Map<string, Interest>): x is StoredInterest => {
  const r = x as StoredInterest;
  return (
    typeof r?.interest == 'string' && r.key === PREFIX + r.interest && known.has(r.interest) &&
    Array.isArray(r.purposes) && known.get(r.interest)!.purposes.every((p) => r.purposes.includes(p))
  );
};

export function createInterestRuntime(o: InterestRuntimeOptions) {
  const known = new Map(o.interests.map((i) => [i.id, i]));
  /** Declared ids in the order of `options.interests`. */
  let held = new Map<string, StoredInterest>();
  /** Keys of interest records that are not (see isInterest): the next sweep deletes them. */
  let foreign: string[] = [];
  const ordered = () => o.interests.filter((i) => held.has(i.id)).map((i) => i.id);

  return {
    get: (): string[] => ordered(),
    list: () => o.interests.map(({ id, label }) => ({ id, label })),

    /** (Re)load from the store: at start, and when another tab changed it. */
    async load() {
      const all = (await o.store().getAll('signals')) as unknown as StoredInterest[];
      const mine = all.filter((x) => isInterest(x, known));
      foreign = all.filter((x) => !mine.includes(x) && `${x?.key}`.startsWith(PREFIX)).map((x) => x.key);
      held = new Map(mine.map((x) => [x.interest, x]));
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

    /** Delete stored interests whose purposes are not (or no longer) all granted, and records that are not interests. */
    async sweep() {
      await this.load();
      const gone = relyingOn([...held.values()], (p) => !o.isGranted(p));
      await o.store().write([...gone.map((r) => r.key), ...foreign].map((key) => ({ type: 'delete', store: 'signals', key })));
      gone.forEach((r) => held.delete(r.interest));
    },

    /** Drop the cache after a purge (of `purpose`) or forget (no purpose). */
    forgetPurpose(purpose?: string) {
      for (const [id, r] of held) if (!purpose || r.purposes.includes(purpose)) held.delete(id);
    },
  };
}

export type InterestRuntime = ReturnType<typeof createInterestRuntime>;
