// The evaluated state of the segments runtime: the cache of rollups (by key and by event) and,
// per segment, the explanation last evaluated with the time until which it holds (nextChange).
// Reads serve that state and re-evaluate only what a window may have moved since.
import { evaluateSegment, nextChange, type Catalog, type SignalRollup, type VisitorContext } from '../segments';
import type { StoredSignal } from '../storage';
import type { Explanation } from '../types';

/** Longest synchronous stretch of evaluation before yielding to the page. */
const SLICE_MS = 12;
const yieldToPage = () =>
  new Promise<void>((r) => {
    const s = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
    if (s?.yield) void s.yield().then(r, r);
    else setTimeout(r, 0);
  });

export interface EvaluatedStateOptions {
  catalog: Catalog;
  now: () => number;
  isGranted(purpose: string): boolean;
  context(): VisitorContext;
  declared?: () => string[];
}

export function createEvaluatedState(o: EvaluatedStateOptions) {
  const { catalog } = o;
  let signals = new Map<string, StoredSignal>();
  /** The same rollups by event, then key (kept with `signals`): a condition reads only its event's. */
  let byEvent = new Map<string, Map<string, StoredSignal>>();

  const setSignals = (list: Iterable<StoredSignal>) => {
    signals = new Map();
    byEvent = new Map();
    for (const x of list) putSignal(x);
  };
  const putSignal = (x: StoredSignal) => {
    signals.set(x.key, x);
    let m = byEvent.get(x.event);
    if (!m) byEvent.set(x.event, (m = new Map()));
    m.set(x.key, x);
  };
  const dropSignal = (key: string) => {
    const x = signals.get(key);
    signals.delete(key);
    if (x) byEvent.get(x.event)?.delete(key);
  };

  /** Rollups by event, built per event on first use, live at `now` (`staged` laid over the cache). */
  const eventIndex = (now: number, staged?: Map<string, StoredSignal>) => {
    const built = new Map<string, SignalRollup[]>();
    const get = (event: string): SignalRollup[] => {
      let list = built.get(event);
      if (list) return list;
      list = [];
      for (const x of byEvent.get(event)?.values() ?? []) if (!staged?.has(x.key) && x.expiresAt > now) list.push(x);
      for (const x of staged?.values() ?? []) if (x.event === event && x.expiresAt > now) list.push(x);
      built.set(event, list);
      return list;
    };
    // Evaluation only ever calls get(). (Not a Map with an own `get`: where a page froze
    // Map.prototype, SES-style, that assignment throws.)
    return { get };
  };
  // The visitor's context is read (navigator, location, referrer) only by a rule that needs it.
  const input = (now: number, staged?: Map<string, StoredSignal>) => {
    let context: VisitorContext | undefined;
    return { rollups: [], byEvent: eventIndex(now, staged), get context() { return (context ??= o.context()); }, now, isGranted: o.isGranted, declared: o.declared?.() ?? [] };
  };

  /**
   * Evaluated state: each segment's explanation, when it was made, and when it may next change
   * (nextChange). A read serves it while `at <= now < next` and consent is as it was; anything
   * else (a track of its events, a reload, a purge, declared interests) drops it.
   */
  const views = new Map<string, { e: Explanation; at: number; next: number; granted: boolean }>();
  let viewsDeclared = '[]';
  const invalidate = (ids?: Iterable<string>) => (ids ? [...ids].forEach((id) => views.delete(id)) : views.clear());

  /**
   * Evaluation as of `now`, lazily per segment: with `staged` fresh (for a commit; `lite`: membership
   * only, no conditions or signals described), else from the evaluated state.
   */
  const evaluator = (staged?: Map<string, StoredSignal>, lite?: boolean, now = o.now()) => {
    const cache = new Map<string, Explanation>();
    let inp: ReturnType<typeof input> | undefined;
    const inputNow = () => (inp ??= input(now, staged));
    if (staged) return (id: string) => evaluateSegment(catalog, id, inputNow(), cache, lite);
    const declared = JSON.stringify(o.declared?.() ?? []);
    if (declared !== viewsDeclared) (viewsDeclared = declared), views.clear();
    const get = (id: string): Explanation => {
      const hit = cache.get(id);
      if (hit) return hit;
      const seg = catalog.get(id);
      const granted = !!seg && seg.effectivePurposes.every(o.isGranted);
      const v = views.get(id);
      if (v && v.at <= now && now < v.next && v.granted === granted) return cache.set(id, v.e), v.e;
      for (const r of seg?.refs ?? []) get(r); // referenced segments from the state too
      const e = evaluateSegment(catalog, id, inputNow(), cache);
      if (seg) views.set(id, { e, at: now, next: nextChange(catalog, id, inputNow()), granted });
      return e;
    };
    return get;
  };

  /**
   * Evaluate (into `explain`'s cache) in slices of at most SLICE_MS, yielding to the page between
   * them: a large profile's first evaluation never makes a long task (> 50 ms).
   */
  const warm = async (explain: (id: string) => Explanation, ids?: Set<string>) => {
    let since = performance.now();
    for (const seg of catalog.segments) {
      if (ids && !ids.has(seg.id)) continue;
      explain(seg.id);
      if (performance.now() - since > SLICE_MS) await yieldToPage(), (since = performance.now());
    }
  };

  return {
    /** The cached rollups by key. */
    get signals(): ReadonlyMap<string, StoredSignal> {
      return signals;
    },
    ofEvent: (event: string): Iterable<StoredSignal> => byEvent.get(event)?.values() ?? [],
    setSignals,
    putSignal,
    dropSignal,
    invalidate,
    evaluator,
    warm,
  };
}
