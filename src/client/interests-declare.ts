// declare() of the declared interests, which lives in an add-on (a chunk of the ESM build,
// dist/cohortkit-interests.js for the script tag) loaded on the first declare(): a page whose
// visitor never declares never fetches it. Reading, sweeping and purging stay in the core
// (interests.ts), so what is stored is exported, withdrawn and forgotten whatever was loaded.
import { CohortkitError } from '../errors';
import type { Interest } from '../options';
import type { Store, WriteOp } from '../storage';
import { PREFIX, type StoredInterest } from './interests-keys';

/** What declare() works on: the core runtime's state and its environment. */
export interface DeclareContext {
  known: Map<string, Interest>;
  store: () => Store;
  now: () => number;
  isGranted(purpose: string): boolean;
  exclusive: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Reloads the held set from the store (another tab may have declared) and returns it. */
  load(): Promise<Map<string, StoredInterest>>;
  /** Replaces the held set once the write is stored. */
  replace(next: Map<string, StoredInterest>): void;
}

/** `ids` of `declare(ids)`: an array of declared interest ids (deduplicated), else `invalid-argument` naming it. */
function validateIds(ids: unknown, known: Map<string, Interest>): string[] {
  const bad = (what: string): never => {
    throw new CohortkitError('invalid-argument', what);
  };
  // Each index read once and checked before the next: the first bad one fails at once (a sparse
  // array of length 1e8 is not copied first).
  const copy = new Set<string>();
  try {
    if (!Array.isArray(ids)) bad('ids: expected an array of interest ids');
    for (let i = 0, n = (ids as unknown[]).length; i < n; i++) {
      const id = (ids as unknown[])[i];
      if (typeof id != 'string' || !known.has(id))
        bad(`ids[${i}]: unknown interest ${typeof id == 'string' ? JSON.stringify(id.slice(0, 64)) : typeof id} (not in options.interests)`);
      copy.add(id as string);
    }
  } catch (e) {
    if (e instanceof CohortkitError) throw e;
    bad('ids: could not be read');
  }
  return [...copy];
}

/**
 * Replace the declared set, all or nothing: unless the purposes of every interest in `ids` are
 * granted, nothing changes (`no-consent`). An empty set clears them.
 * @returns whether it changed the stored set (for cross-tab sync) and the result
 */
export async function declareInterests(ids: unknown, o: DeclareContext): Promise<{ stored: boolean; reason: 'stored' | 'no-consent'; changed: boolean }> {
  const { known } = o;
  const want = validateIds(ids, known);
  const allowed = () => want.every((id) => known.get(id)!.purposes.every(o.isGranted));
  if (!allowed()) return { stored: false, reason: 'no-consent', changed: false };
  return o.exclusive(async () => {
    const held = await o.load(); // another tab may have declared meanwhile
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
    o.replace(next);
    return { stored: true, reason: 'stored' as const, changed: ops.length > 0 };
  });
}
