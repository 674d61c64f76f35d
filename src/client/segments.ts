// The stateful half of signals and segments: the client's cache of rollups and memberships,
// kept in step with the store. Pure work is delegated to src/signals and src/segments; the group
// commit of tracks is in track-commit.ts.
import { MAX_TIMES, type Catalog, type VisitorContext } from '../segments';
import { createEvaluatedState } from './evaluated';
import { minimize, propsKey } from '../signals';
import { deletes, stampBase, relyingOn, STAMP_KEY, type Store, type StoredMembership, type StoredSignal, type WriteOp } from '../storage';
import { newStamp } from '../storage/store';
import type { Explanation, Membership, Scalar, TrackResult } from '../types';
import { createTrackBatches } from './track-commit';

export interface SegmentRuntimeOptions {
  catalog: Catalog;
  store: () => Store;
  now: () => number;
  isGranted(purpose: string): boolean;
  context(): VisitorContext;
  /** Declared interest ids (`{ declared }` rules). */
  declared?: () => string[];
  /** Retention in days for a signal stored under these purposes. */
  retentionDays(purposes: string[]): number;
  /** Mutations are serialized (and cross-tab exclusive) through this; `queued` (when known) counts the sections queued so far. */
  exclusive: (<T>(fn: () => Promise<T>) => Promise<T>) & { queued?: number; local?: <T>(fn: () => Promise<T>) => Promise<T> };
  onSegments(memberships: Membership[]): void;
  /** Signals were stored (once per committed batch of tracks): tell other tabs. */
  onSignals?(): void;
  /** A fault that did not fail the call (reported on `on('error')`). */
  onError(e: unknown): void;
}

// A stored record of the wrong shape (edited by another script) is ignored, never fatal: among
// them one relying on no purpose (`purposes: []` would survive every withdrawal) and one with more
// than MAX_TIMES times (no stored array is spread into a call: 200,000 would overflow the stack).
const num = (xs: unknown[]) => xs.every(Number.isFinite);
const hasPurposes = (x: { purposes?: unknown }) => Array.isArray(x?.purposes) && x.purposes.length > 0 && x.purposes.every((p) => typeof p == 'string');
const HOUR = 3_600_000;
const isSignal = (s: StoredSignal | undefined): s is StoredSignal =>
  !!s && hasPurposes(s) && typeof s.key == 'string' && typeof s.event == 'string' && typeof s.props == 'object' && !!s.props &&
  Array.isArray(s.times) && s.times.length <= MAX_TIMES && num(s.times) && num([s.day, s.count, s.first, s.last, s.expiresAt]);
const isMembership = (m: StoredMembership) => hasPurposes(m) && typeof m.id == 'string' && num([m.version, m.since]);

/** `emit` of the 'segments' event, called only when the set of memberships (id, version, since) changed: never twice for one. */
export const onlyChanges = (emit: (list: Membership[]) => void) => {
  let last = '[]';
  return (list: Membership[]) => {
    const sig = JSON.stringify(list.map((m) => [m.id, m.version, m.since]));
    if (sig !== last) (last = sig), emit(list);
  };
};

export function createSegmentRuntime(o: SegmentRuntimeOptions) {
  const { catalog } = o;
  const st = createEvaluatedState(o);
  const { setSignals, putSignal, dropSignal, invalidate, evaluator, warm } = st;
  let stored = new Map<string, StoredMembership>();
  /** Memberships of segments that rely on no purpose (context-only): never persisted. */
  const ephemeral = new Map<string, StoredMembership>();
  /**
   * The store's stamp when the caches were last loaded or written by us (see STAMP_KEY): a write
   * compares it in its own transaction, so no read comes before it. `known` is false until the
   * caches are loaded and after a refused write (something else wrote since): they reload first.
   */
  let stamp: string | undefined;
  let known = false;
  /** We put `stamp` ourselves (not a load's): a write finding it unclaimed keeps it (see stampBase). */
  let owned = false;

  /** Current memberships in catalog order, with their explanations. */
  const list = (explain: (id: string) => Explanation): Membership[] =>
    catalog.segments
      .map((s) => stored.get(s.id) ?? ephemeral.get(s.id))
      .filter((m): m is StoredMembership => !!m && explain(m.id).member)
      // A copy: the evaluated state is kept, and the page may change what it is given.
      .map(({ id, version, since }) => ({ id, version, since, explanation: structuredClone(explain(id)) }));

  /** The membership writes that bring (all, or only the given) segments in line with `explain`, and the cache changes to apply once stored. */
  const plan = (explain: (id: string) => Explanation, ids?: Set<string>) => {
    const now = o.now();
    const ops: WriteOp[] = [];
    // The caches change only once the store took the change: a refused write is retried by the next reconcile.
    const apply: Array<() => unknown> = [];
    for (const seg of catalog.segments) {
      if (ids && !ids.has(seg.id)) continue;
      const member = explain(seg.id).member;
      const persistent = seg.effectivePurposes.length > 0;
      // At apply time, the map then current (a reload may have replaced it meanwhile).
      const map = () => (persistent ? stored : ephemeral);
      const cur = map().get(seg.id);
      if (member && (!cur || cur.version !== seg.version)) {
        const m: StoredMembership = { id: seg.id, version: seg.version, since: now, purposes: seg.effectivePurposes };
        apply.push(() => map().set(seg.id, m));
        if (persistent) ops.push({ type: 'put', store: 'memberships', value: m });
      } else if (!member && cur) {
        apply.push(() => map().delete(seg.id));
        if (persistent) ops.push({ type: 'delete', store: 'memberships', key: seg.id });
      }
    }
    // Memberships of segments no longer declared are dropped.
    for (const id of [...stored.keys()])
      if (!catalog.has(id)) apply.push(() => stored.delete(id)), ops.push({ type: 'delete', store: 'memberships', key: id });
    return { ops, apply };
  };

  /** Apply a stored plan to the caches; emit on change. */
  const settle = (explain: (id: string) => Explanation, apply: Array<() => unknown>, wanted = true) => {
    apply.forEach((f) => f());
    if (!apply.length && !wanted) return [];
    const memberships = list(explain);
    if (apply.length) o.onSegments(memberships);
    return memberships;
  };

  /**
   * Evaluate (all, or only the given) segments, reconcile stored memberships, emit on change.
   * One at a time in this page (two would each write the same new membership).
   */
  let reconciling: Promise<unknown> = Promise.resolve();
  const reconcile = (ids?: Set<string>): Promise<Membership[]> => {
    const run = reconciling.then(async () => {
      let explain = evaluator();
      await warm(explain, ids);
      let p = plan(explain, ids);
      if (!(await write(p.ops))) {
        // Another writer came first (or the database was deleted by a forget() elsewhere): plan
        // again against the memberships stored now, from the state this page holds now.
        stored = new Map((await o.store().getAll('memberships')).filter(isMembership).map((m) => [m.id, m]));
        explain = evaluator();
        await warm(explain, ids);
        p = plan(explain, ids);
        await o.store().write(p.ops);
      }
      return settle(explain, p.apply);
    });
    reconciling = run.catch(() => undefined);
    return run;
  };


  /** Write `ops`, comparing the stamp when we know it: false (nothing written) when another writer came first. */
  const write = async (ops: WriteOp[]): Promise<boolean> => {
    if (!ops.length) return true;
    if (known) {
      const left = await o.store().writeIf(ops, { expect: stamp, next: newStamp(), keep: owned });
      if (left !== false) return (stamp = left), (owned = true);
      known = false;
      return false;
    }
    await o.store().write(ops);
    return true;
  };

  /** (Re)load the caches from the store, in one transaction (readwrite when it claims the stamp). */
  const load = async () => {
    // Claimed in the same transaction (a tab that put the stamp puts a new one on its next
    // write), unless it is the one we put and hold: we still do.
    const held = (owned && stamp) || true;
    const snap = await o.store().snapshot(['signals', 'memberships', 'meta'], held);
    const raw = snap.stamp ? snap.stamp.value : snap.meta?.get(STAMP_KEY);
    setSignals((snap.signals ?? []).filter(isSignal));
    stored = new Map((snap.memberships ?? []).filter(isMembership).map((m) => [m.id, m]));
    stamp = stampBase(raw);
    known = !!snap.meta || !!snap.stamp;
    owned = raw === held;
    invalidate();
  };

  const batches = createTrackBatches(o, st, load, write, plan, settle, isSignal, () => known);

  let expiredAt = -Infinity;
  async function expire(): Promise<number> {
    const now = (expiredAt = o.now());
    const gone = [...st.signals.values()].filter((s) => s.expiresAt <= now);
    if (!gone.length) return 0;
    const ops = deletes('signals', gone);
    if (!(await write(ops))) await o.store().write(ops);
    gone.forEach((s) => dropSignal(s.key));
    invalidate();
    await reconcile();
    return gone.length;
  }

  return {
    /** (Re)load the caches from the store: at start, and when another tab changed it. */
    load,

    async track(event: string, props: Record<string, Scalar>): Promise<TrackResult> {
      const kept = minimize(event, props, catalog.reads);
      if (!kept) return { stored: false, reason: 'unreferenced' };
      const eligible = catalog.purposesForEvent(event).filter((ps) => ps.every(o.isGranted));
      if (!eligible.length) return { stored: false, reason: 'no-consent' };
      // The signal is stored under every purpose of every eligible reader: withdrawing any of
      // them deletes it (conservative: never kept on a basis that is gone; the next events
      // rebuild what the remaining readers need).
      const purposes = [...new Set(eligible.flat())];
      const stored = await batches.add({ event, kept, rawKey: propsKey(props), purposes });
      // Retention follows the client's clock (`now`), not only the 10-minute wall-time timer: a
      // track an hour of that clock after the last sweep runs one (not awaited by the track).
      if (o.now() - expiredAt >= HOUR) void expire().catch(o.onError);
      return stored;
    },

    /** Current memberships: the evaluated state, re-evaluated where a window may have moved since. */
    memberships: () => reconcile(),

    explain: (id: string): Explanation => structuredClone(evaluator()(id)),

    /** Pure evaluation as of now (no writes), computed per segment on demand. */
    evaluator,

    /** Delete expired signals; returns how many went. */
    expire,

    /**
     * Reload from the store (another tab may have changed it), delete whatever relies on a
     * purpose that is not granted, and return the memberships that remain.
     */
    sweep(): Promise<Membership[]> {
      // Exclusive: a reload racing a batch of tracks would drop what the batch just cached.
      return o.exclusive(async () => {
        await load();
        const lost = (p: string) => !o.isGranted(p);
        const goneSignals = relyingOn([...st.signals.values()], lost);
        const goneMemberships = relyingOn([...stored.values()], lost);
        const ops = [...deletes('signals', goneSignals), ...deletes('memberships', goneMemberships)];
        if (!(await write(ops))) await o.store().write(ops);
        goneSignals.forEach((x) => dropSignal(x.key));
        goneMemberships.forEach((x) => stored.delete(x.id));
        invalidate();
        return reconcile();
      });
    },

    /** Drop the caches after a purge or forget. */
    forgetPurpose(purpose?: string) {
      for (const [k, v] of st.signals) if (!purpose || v.purposes.includes(purpose)) dropSignal(k);
      for (const [k, v] of stored) if (!purpose || v.purposes.includes(purpose)) stored.delete(k);
      if (!purpose) ephemeral.clear();
      invalidate();
    },

    exportSignals: () =>
      [...st.signals.values()].map(({ key: _key, ...s }) => s),
  };
}

export type SegmentRuntime = ReturnType<typeof createSegmentRuntime>;
