// Declared interests (zero-party data): the visitor's own statements, kept as signals in the
// `signals` store (one record per interest, under the interest's purposes) so that a withdrawal
// purges them through the usual purge path (counted in `purged.signals`) and forget() deletes them.
import { CohortkitError } from '../errors';
import type { Interest } from '../options';
import { relyingOn, type Store, type WriteOp } from '../storage';

const PREFIX = 'interest|';

/** One stored declared interest (in the `signals` store, keyed by `key`). */
export interface StoredInterest {
  key: string;
  interest: string;
  purposes: string[];
  at: number;
}

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

/** `ids` of `declare(ids)`: an array of declared interest ids (deduplicated), else `invalid-argument` naming it. */
function validateIds(ids: unknown, known: Map<string, Interest>): string[] {
  const bad = (what: string): never => {
    throw new CohortkitError('invalid-argument', what);
  };
  let copy: unknown[] = [];
  try {
    copy = Array.isArray(ids) ? Array.from(ids as unknown[]) : bad('ids: expected an array of interest ids');
  } catch (e) {
    if (e instanceof CohortkitError) throw e;
    bad('ids: could not be read');
  }
  copy.forEach((id, i) => {
    if (typeof id != 'string' || !known.has(id))
      bad(`ids[${i}]: unknown interest ${typeof id == 'string' ? JSON.stringify(id.slice(0, 64)) : typeof id} (not in options.interests)`);
  });
  return [...new Set(copy as string[])];
}

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
     * Replace the declared set, all or nothing: unless the purposes of every interest in `ids`
     * are granted, nothing changes (`no-consent`). An empty set clears them.
     * @returns whether it changed the stored set (for cross-tab sync) and the result
     */
    async declare(ids: unknown): Promise<{ stored: boolean; reason: 'stored' | 'no-consent'; changed: boolean }> {
      const want = validateIds(ids, known);
      const allowed = () => want.every((id) => known.get(id)!.purposes.every(o.isGranted));
      if (!allowed()) return { stored: false, reason: 'no-consent', changed: false };
      return o.exclusive(async () => {
        await this.load(); // another tab may have declared meanwhile
        // Re-checked inside the exclusive section: a withdrawal may have just happened.
        if (!allowed()) return { stored: false, reason: 'no-consent' as const, changed: false };
        const at = o.now();
        const ops: WriteOp[] = [];
        for (const [id, r] of held) if (!want.includes(id)) ops.push({ type: 'delete', store: 'signals', key: r.key });
        const next = new Map<string, StoredInterest>();
        for (const id of want) {
          const r = held.get(id) ?? { key: PREFIX + id, interest: id, purposes: [...known.get(id)!.purposes], at };
          if (!held.has(id)) ops.push({ type: 'put', store: 'signals', value: r as never });
          next.set(id, r);
        }
        await o.store().write(ops);
        held = next;
        return { stored: true, reason: 'stored' as const, changed: ops.length > 0 };
      });
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
