// The stateful half of signals and segments: the client's cache of rollups and memberships,
// kept in step with the store. Pure work is delegated to src/signals and src/segments.
import { evaluateSegment, indexByEvent, type Catalog, type VisitorContext } from '../segments';
import { addToRollup, createIngestGuard, dayOf, minimize, propsKey, rateWindowStart, countSince } from '../signals';
import { deletes, relyingOn, type Store, type StoredMembership, type StoredSignal, type WriteOp } from '../storage';
import type { Explanation, Membership, Scalar, TrackResult } from '../types';

const DAY = 86_400_000;

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
  exclusive: (<T>(fn: () => Promise<T>) => Promise<T>) & { queued?: number };
  onSegments(memberships: Membership[]): void;
  /** Signals were stored (once per committed batch of tracks): tell other tabs. */
  onSignals?(): void;
  /** A fault that did not fail the call (reported on `on('error')`). */
  onError(e: unknown): void;
}

// A stored record of the wrong shape (edited by another script) is ignored, never fatal.
const num = (...xs: unknown[]) => xs.every(Number.isFinite);
const hasPurposes = (x: { purposes?: unknown }) => Array.isArray(x?.purposes) && x.purposes.every((p) => typeof p == 'string');
const isSignal = (s: StoredSignal | undefined): s is StoredSignal =>
  !!s && hasPurposes(s) && typeof s.key == 'string' && typeof s.event == 'string' && typeof s.props == 'object' && !!s.props &&
  Array.isArray(s.times) && num(s.day, s.count, s.first, s.last, s.expiresAt, ...s.times);
const isMembership = (m: StoredMembership) => hasPurposes(m) && typeof m.id == 'string' && num(m.version, m.since);

interface Pending {
  event: string;
  kept: Record<string, Scalar>;
  rawKey: string;
  purposes: string[];
  done: { resolve(r: TrackResult): void; reject(e: unknown): void };
}

export function createSegmentRuntime(o: SegmentRuntimeOptions) {
  const { catalog } = o;
  let signals = new Map<string, StoredSignal>();
  let stored = new Map<string, StoredMembership>();
  /** Memberships of segments that rely on no purpose (context-only): never persisted. */
  const ephemeral = new Map<string, StoredMembership>();
  let guard = createIngestGuard();

  const input = (now = o.now(), from: Iterable<StoredSignal> = signals.values()) => {
    const rollups = [...from].filter((s) => s.expiresAt > now);
    return { rollups, byEvent: indexByEvent(rollups), context: o.context(), now, isGranted: o.isGranted, declared: o.declared?.() ?? [] };
  };

  /** Evaluation as of now, lazily per segment, sharing referenced segments' results. */
  const evaluator = (from?: Iterable<StoredSignal>) => {
    const inp = input(o.now(), from);
    const cache = new Map<string, Explanation>();
    return (id: string) => evaluateSegment(catalog, id, inp, cache);
  };

  /** Current memberships in catalog order, with their explanations. */
  const list = (explain: (id: string) => Explanation): Membership[] =>
    catalog.segments
      .map((s) => stored.get(s.id) ?? ephemeral.get(s.id))
      .filter((m): m is StoredMembership => !!m && explain(m.id).member)
      .map(({ id, version, since }) => ({ id, version, since, explanation: explain(id) }));

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
      const map = persistent ? stored : ephemeral;
      const cur = map.get(seg.id);
      if (member && (!cur || cur.version !== seg.version)) {
        const m: StoredMembership = { id: seg.id, version: seg.version, since: now, purposes: seg.effectivePurposes };
        apply.push(() => map.set(seg.id, m));
        if (persistent) ops.push({ type: 'put', store: 'memberships', value: m });
      } else if (!member && cur) {
        apply.push(() => map.delete(seg.id));
        if (persistent) ops.push({ type: 'delete', store: 'memberships', key: seg.id });
      }
    }
    // Memberships of segments no longer declared are dropped.
    for (const id of [...stored.keys()])
      if (!catalog.has(id)) apply.push(() => stored.delete(id)), ops.push({ type: 'delete', store: 'memberships', key: id });
    return { ops, apply };
  };

  /** Apply a stored plan to the caches; emit on change. */
  const settle = (explain: (id: string) => Explanation, apply: Array<() => unknown>) => {
    apply.forEach((f) => f());
    const memberships = list(explain);
    if (apply.length) o.onSegments(memberships);
    return memberships;
  };

  /** Evaluate (all, or only the given) segments, reconcile stored memberships, emit on change. */
  const reconcile = async (ids?: Set<string>): Promise<Membership[]> => {
    const explain = evaluator();
    const { ops, apply } = plan(explain, ids);
    await o.store().write(ops);
    return settle(explain, apply);
  };

  const batches = createTrackBatches();

  /**
   * Group commit: tracks that arrive while a batch waits for the exclusive section join it
   * (unless another section was queued after it, which keeps their order), and the batch
   * commits in one transaction: a resolved track is durable. Every check (rate limit,
   * duplicate, consent) is made per call, in arrival order, against the state the earlier
   * calls of the batch would leave.
   */
  function createTrackBatches() {
    let open: { calls: Pending[]; queued: number | undefined } | undefined;
    return {
      add(call: Omit<Pending, 'done'>): Promise<TrackResult> {
        return new Promise<TrackResult>((resolve, reject) => {
          const p: Pending = { ...call, done: { resolve, reject } };
          if (open && open.queued === o.exclusive.queued) return void open.calls.push(p);
          const batch = { calls: [p], queued: undefined as number | undefined };
          open = batch;
          o.exclusive(async () => {
            if (open === batch) open = undefined;
            await commit(batch.calls);
          }).catch(() => undefined); // each call settles through its own promise
          batch.queued = o.exclusive.queued;
        });
      },
    };
  }

  async function commit(calls: Pending[]): Promise<void> {
    let results: Array<TrackResult | undefined> | undefined;
    try {
      const at = calls.map(() => o.now());
      const keys = calls.map((c, i) => `${c.event}|${dayOf(at[i]!)}|${propsKey(c.kept)}`);
      // Another tab may have written a rollup since we loaded it: read each key once.
      const distinct = [...new Set(keys)];
      const reads = await Promise.all(distinct.map((k) => o.store().get('signals', k)));
      const staged = new Map<string, StoredSignal>();
      distinct.forEach((k, i) => {
        const read = reads[i];
        const v = isSignal(read) ? read : signals.get(k);
        if (v) staged.set(k, v);
      });
      const g = guard.fork();
      // Rollups of each event this batch tracks (the rate limit counts only its own event).
      const cached = indexByEvent([...signals.values()]);
      const ofEvent = (event: string) => {
        const out = (cached.get(event) ?? []).filter((v) => !staged.has(v.key));
        for (const v of staged.values()) if (v.event === event) out.push(v);
        return out;
      };
      const view = () => ({ *[Symbol.iterator]() {
        for (const [k, v] of signals) if (!staged.has(k)) yield v;
        yield* staged.values();
      } });
      results = calls.map((c, i): TrackResult | undefined => {
        const t = at[i]!;
        const verdict = g.check(c.event, c.rawKey, t, countSince(ofEvent(c.event), c.event, rateWindowStart(t)));
        if (verdict !== 'ok') return { stored: false, reason: verdict };
        // Re-checked inside the exclusive section: a withdrawal may have just happened.
        if (!catalog.purposesForEvent(c.event).some((ps) => ps.every(o.isGranted))) return { stored: false, reason: 'no-consent' };
        const existing = staged.get(keys[i]!);
        const rollup = addToRollup(existing, c.event, c.kept, t);
        const ps = [...new Set([...(existing?.purposes ?? []), ...c.purposes])];
        staged.set(keys[i]!, { ...rollup, key: keys[i]!, purposes: ps, expiresAt: rollup.last + o.retentionDays(ps) * DAY });
        g.record(c.event, c.rawKey, t);
        return undefined; // stored, once the batch commits
      });
      const written = new Set(keys.filter((_, i) => !results![i]));
      const signalOps: WriteOp[] = [...written].map((k) => ({ type: 'put', store: 'signals', value: staged.get(k)! }));
      if (signalOps.length) {
        const ids = new Set(calls.filter((_, i) => !results![i]).flatMap((c) => catalog.segmentsReadingEvent(c.event)));
        const explain = evaluator(view());
        const memberships = plan(explain, ids);
        // Signals and memberships in one transaction; when that is refused, the signals alone
        // (a refused membership write is reported, not a failed track: the next reconcile retries it).
        let both = true;
        try {
          await o.store().write([...signalOps, ...memberships.ops]);
        } catch (e) {
          if (!memberships.ops.length) throw e;
          both = false;
          await o.store().write(signalOps);
          o.onError(e);
        }
        for (const k of written) signals.set(k, staged.get(k)!);
        guard = g;
        if (both) settle(explain, memberships.apply);
        o.onSignals?.();
      }
      calls.forEach((c, i) => c.done.resolve(results![i] ?? { stored: true, reason: 'stored' }));
    } catch (e) {
      // A refused write fails the calls it would have stored; the others stand as checked.
      calls.forEach((c, i) => (results?.[i] ? c.done.resolve(results[i]) : c.done.reject(e)));
    }
  }


  return {
    /** (Re)load the caches from the store: at start, and when another tab changed it. */
    async load() {
      signals = new Map((await o.store().getAll('signals')).filter(isSignal).map((s) => [s.key, s]));
      stored = new Map((await o.store().getAll('memberships')).filter(isMembership).map((m) => [m.id, m]));
    },

    async track(event: string, props: Record<string, Scalar>): Promise<TrackResult> {
      const kept = minimize(event, props, catalog.reads);
      if (!kept) return { stored: false, reason: 'unreferenced' };
      const eligible = catalog.purposesForEvent(event).filter((ps) => ps.every(o.isGranted));
      if (!eligible.length) return { stored: false, reason: 'no-consent' };
      // The signal is stored under every purpose of every eligible reader: withdrawing any of
      // them deletes it (conservative: never kept on a basis that is gone; the next events
      // rebuild what the remaining readers need).
      const purposes = [...new Set(eligible.flat())];
      return batches.add({ event, kept, rawKey: propsKey(props), purposes });
    },

    /** Current memberships, re-evaluated now (windows move with time). */
    memberships: () => reconcile(),

    explain: (id: string): Explanation => evaluator()(id),

    /** Pure evaluation as of now (no writes), computed per segment on demand. */
    evaluator,

    /** Delete expired signals; returns how many went. */
    async expire(): Promise<number> {
      const now = o.now();
      const gone = [...signals.values()].filter((s) => s.expiresAt <= now);
      if (!gone.length) return 0;
      await o.store().write(deletes('signals', gone));
      gone.forEach((s) => signals.delete(s.key));
      await reconcile();
      return gone.length;
    },

    /**
     * Reload from the store (another tab may have changed it), delete whatever relies on a
     * purpose that is not granted, and return the memberships that remain.
     */
    sweep(): Promise<Membership[]> {
      // Exclusive: a reload racing a batch of tracks would drop what the batch just cached.
      return o.exclusive(async () => {
        await this.load();
        const lost = (p: string) => !o.isGranted(p);
        const goneSignals = relyingOn([...signals.values()], lost);
        const goneMemberships = relyingOn([...stored.values()], lost);
        await o.store().write([...deletes('signals', goneSignals), ...deletes('memberships', goneMemberships)]);
        goneSignals.forEach((x) => signals.delete(x.key));
        goneMemberships.forEach((x) => stored.delete(x.id));
        return reconcile();
      });
    },

    /** Drop the caches after a purge or forget. */
    forgetPurpose(purpose?: string) {
      for (const m of [signals, stored]) for (const [k, v] of m) if (!purpose || v.purposes.includes(purpose)) m.delete(k);
      if (!purpose) ephemeral.clear();
    },

    exportSignals: () =>
      [...signals.values()].map(({ key: _key, ...s }) => s),
  };
}

export type SegmentRuntime = ReturnType<typeof createSegmentRuntime>;
