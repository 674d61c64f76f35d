// The stateful half of signals and segments: the client's cache of rollups and memberships,
// kept in step with the store. Pure work is delegated to src/signals and src/segments.
import { evaluateSegment, type Catalog, type VisitorContext } from './segments';
import { addToRollup, createIngestGuard, dayOf, minimize, propsKey, rateWindowStart, countSince } from './signals';
import { deletes, relyingOn, type Store, type StoredMembership, type StoredSignal, type WriteOp } from './storage';
import type { Explanation, Membership, Scalar, TrackResult } from './types';

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
  /** Mutations are serialized (and cross-tab exclusive) through this. */
  exclusive: <T>(fn: () => Promise<T>) => Promise<T>;
  onSegments(memberships: Membership[]): void;
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

export function createSegmentRuntime(o: SegmentRuntimeOptions) {
  const { catalog } = o;
  let signals = new Map<string, StoredSignal>();
  let stored = new Map<string, StoredMembership>();
  /** Memberships of segments that rely on no purpose (context-only): never persisted. */
  const ephemeral = new Map<string, StoredMembership>();
  const guard = createIngestGuard();

  const input = (now = o.now()) => ({
    rollups: [...signals.values()].filter((s) => s.expiresAt > now),
    context: o.context(),
    now,
    isGranted: o.isGranted,
    declared: o.declared?.() ?? [],
  });

  /** Evaluation as of now, lazily per segment, sharing referenced segments' results. */
  const evaluator = () => {
    const inp = input();
    const cache = new Map<string, Explanation>();
    return (id: string) => evaluateSegment(catalog, id, inp, cache);
  };

  /** Current memberships in catalog order, with their explanations. */
  const list = (explain: (id: string) => Explanation): Membership[] =>
    catalog.segments
      .map((s) => stored.get(s.id) ?? ephemeral.get(s.id))
      .filter((m): m is StoredMembership => !!m && explain(m.id).member)
      .map(({ id, version, since }) => ({ id, version, since, explanation: explain(id) }));

  /** Evaluate (all, or only the given) segments, reconcile stored memberships, emit on change. */
  const reconcile = async (ids?: string[]): Promise<Membership[]> => {
    const now = o.now();
    const explain = evaluator();
    const ops: WriteOp[] = [];
    // The caches change only once the store took the change: a refused write is retried by the next reconcile.
    const apply: Array<() => unknown> = [];
    for (const seg of catalog.segments) {
      if (ids && !ids.includes(seg.id)) continue;
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
    await o.store().write(ops);
    apply.forEach((f) => f());
    const memberships = list(explain);
    if (apply.length) o.onSegments(memberships);
    return memberships;
  };

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
      const rawKey = propsKey(props);
      return o.exclusive(async () => {
        const at = o.now();
        const recent = countSince([...signals.values()], event, rateWindowStart(at));
        const verdict = guard.check(event, rawKey, at, recent);
        if (verdict !== 'ok') return { stored: false, reason: verdict };
        // Re-check consent inside the exclusive section: a withdrawal may have just happened.
        if (!catalog.purposesForEvent(event).some((ps) => ps.every(o.isGranted)))
          return { stored: false, reason: 'no-consent' as const };
        const key = `${event}|${dayOf(at)}|${propsKey(kept)}`;
        const read = await o.store().get('signals', key);
        const existing = isSignal(read) ? read : signals.get(key);
        const rollup = addToRollup(existing, event, kept, at);
        const ps = [...new Set([...(existing?.purposes ?? []), ...purposes])];
        const value: StoredSignal = { ...rollup, key, purposes: ps, expiresAt: rollup.last + o.retentionDays(ps) * DAY };
        await o.store().write([{ type: 'put', store: 'signals', value }]);
        signals.set(key, value);
        guard.record(event, rawKey, at);
        // The signal is stored: a membership write the store refuses is reported, not a failed track.
        await reconcile(catalog.segmentsReadingEvent(event)).catch(o.onError);
        return { stored: true, reason: 'stored' as const };
      });
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
    async sweep(): Promise<Membership[]> {
      await this.load();
      const lost = (p: string) => !o.isGranted(p);
      const goneSignals = relyingOn([...signals.values()], lost);
      const goneMemberships = relyingOn([...stored.values()], lost);
      await o.store().write([...deletes('signals', goneSignals), ...deletes('memberships', goneMemberships)]);
      goneSignals.forEach((x) => signals.delete(x.key));
      goneMemberships.forEach((x) => stored.delete(x.id));
      return reconcile();
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
