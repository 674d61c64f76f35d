// The group commit of the segments runtime: tracks that arrive together are checked in arrival
// order and committed in one transaction (their signals and the memberships they change). The
// runtime (segments.ts) keeps its state (caches, stamp) and passes in what the commit needs.
import type { Explanation, Scalar, TrackResult } from '../types';
import { matches } from '../segments';
import type { StoredSignal, WriteOp } from '../storage';
import { addToRollup, countSince, createIngestGuard, dayOf, propsKey, rateWindowStart } from '../signals';
import type { createEvaluatedState } from './evaluated';
import type { SegmentRuntimeOptions } from './segments';

const DAY = 86_400_000;

type EvaluatedState = ReturnType<typeof createEvaluatedState>;

interface Pending {
  event: string;
  kept: Record<string, Scalar>;
  rawKey: string;
  purposes: string[];
  done: { resolve(r: TrackResult): void; reject(e: unknown): void };
}

type Explain = (id: string) => Explanation;

/**
 * Group commit: tracks that arrive while a batch waits for the exclusive section join it
 * (unless another section was queued after it, which keeps their order), and the batch
 * commits in one transaction: a resolved track is durable. Every check (rate limit,
 * duplicate, consent) is made per call, in arrival order, against the state the earlier
 * calls of the batch would leave.
 */
export function createTrackBatches(
  o: SegmentRuntimeOptions,
  st: EvaluatedState,
  // The segment runtime's own functions, and its `known` flag read when used: it stays their
  // one owner. (Arguments rather than an object of them: fewer bytes in the bundle.)
  load: () => Promise<void>,
  write: (ops: WriteOp[]) => Promise<boolean>,
  plan: (explain: Explain, ids?: Set<string>) => { ops: WriteOp[]; apply: Array<() => unknown> },
  settle: (explain: Explain, apply: Array<() => unknown>, wanted?: boolean) => unknown,
  isSignal: (s: StoredSignal | undefined) => s is StoredSignal,
  known: () => boolean,
) {
  const { catalog } = o;
  /** The ingest guard (rate limit, duplicates): only the commit reads and replaces it. */
  let guard = createIngestGuard();
  let open: { calls: Pending[]; queued: number | undefined } | undefined;
  return {
    add(call: Omit<Pending, 'done'>): Promise<TrackResult> {
      return new Promise<TrackResult>((resolve, reject) => {
        const p: Pending = { ...call, done: { resolve, reject } };
        if (open && open.queued === o.exclusive.queued) return void open.calls.push(p);
        const batch = { calls: [p], queued: undefined as number | undefined };
        open = batch;
        // In this page's order only: the compared write stands in for the cross-tab lock (another
        // tab's write fails it, we reload).
        const section = o.exclusive.local ?? o.exclusive;
        section(async () => {
          if (open === batch) open = undefined;
          await commit(batch.calls);
        }).catch(() => undefined); // each call settles through its own promise
        batch.queued = o.exclusive.queued;
      });
    },
  };

  async function commit(calls: Pending[]): Promise<void> {
    let results: Array<TrackResult | undefined> | undefined;
    try {
      const at = calls.map(() => o.now());
      const keys = calls.map((c, i) => `${c.event}|${dayOf(at[i]!)}|${propsKey(c.kept)}`);
      const distinct = [...new Set(keys)];
      // Another tab (or another writer here) changed the store since we knew its stamp: reload first.
      if (!known()) await load();
      for (let attempt = 0; ; attempt++) {
        // Without a stamp to compare, read each key once (another tab may have written it).
        const reads = known() ? undefined : await Promise.all(distinct.map((k) => o.store().get('signals', k)));
        const staged = new Map<string, StoredSignal>();
        distinct.forEach((k, i) => {
          const read = reads?.[i];
          const v = isSignal(read) ? read : st.signals.get(k);
          if (v) staged.set(k, v);
        });
        const g = guard.fork();
        // Rollups of each event this batch tracks (the rate limit counts only its own event).
        const ofEvent = (event: string) => {
          const out = [...st.ofEvent(event)].filter((v) => !staged.has(v.key));
          for (const v of staged.values()) if (v.event === event) out.push(v);
          return out;
        };
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
        if (!signalOps.length) break;
        // Re-evaluated: the segments with a condition (their own or a referenced one's) that counts
        // a rollup this batch changed. Another condition of the event cannot see the change.
        // Each event of the batch once (a batch of 2,000 tracks has a handful), each segment once.
        const changed = [...written].map((k) => staged.get(k)!);
        const ids = new Set<string>();
        for (const event of new Set(changed.map((x) => x.event)))
          for (const id of catalog.segmentsReadingEvent(event))
            if (!ids.has(id) && catalog.get(id)!.lineage.some((r) => changed.some((x) => matches(x, r)))) ids.add(id);
        // Which memberships change needs only `member`: the full explanations (as of the same
        // instant) are made only for what is emitted, when a membership changed (below).
        const now = o.now();
        const memberships = plan(st.evaluator(staged, true, now), ids);
        // Signals and memberships in one transaction; when that is refused, the signals alone
        // (a refused membership write is reported, not a failed track: the next reconcile retries it).
        let both = true;
        let ok: boolean;
        try {
          ok = await write([...signalOps, ...memberships.ops]);
        } catch (e) {
          if (!memberships.ops.length) throw e;
          both = false;
          ok = await write(signalOps);
          o.onError(e);
        }
        if (!ok) {
          // Another writer came first (nothing was written): reload and plan again; the third time, read first.
          if (attempt < 2) await load();
          continue;
        }
        for (const k of written) st.putSignal(staged.get(k)!);
        guard = g;
        st.invalidate(ids);
        if (both && memberships.apply.length) settle(st.evaluator(staged, false, now), memberships.apply, false);
        o.onSignals?.();
        break;
      }
      calls.forEach((c, i) => c.done.resolve(results![i] ?? { stored: true, reason: 'stored' }));
    } catch (e) {
      // A refused write fails the calls it would have stored; the others stand as checked.
      calls.forEach((c, i) => (results?.[i] ? c.done.resolve(results[i]) : c.done.reject(e)));
    }
  }
}
