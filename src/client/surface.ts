// The public Client object over the runtimes createClient composed (index.ts): argument checks,
// the closed state, and the methods that read across runtimes (exportData, forget).
import { EMIT, type createEmitter } from '../emitter';
import { CohortkitError } from '../errors';
import type { normalizeOptions } from '../options';
import { validateTrack } from '../signals';
import type { Store } from '../storage';
import type { createPersistence } from '../storage/persist';
import type { CatalogEntry, Client, DataExport, Membership } from '../types';
import type { createConsentRuntime } from './consent';
import type { createInterestRuntime } from './interests';
import type { createLazyPersonalization } from './personalization-addon';
import type { ReportingRuntime } from './reporting';
import type { createSegmentRuntime } from './segments';

/**
 * The Client over the runtimes. Arguments, not an object of them: fewer bytes in the bundle
 * (every property name would stay in it twice). `catalog` lists the segment catalog,
 * `dropAll` drops everything this tab holds about the visitor in memory, `close` stops timers,
 * add-ons, channels and storage (called once).
 */
export function createSurface(
  opts: ReturnType<typeof normalizeOptions>,
  store: () => Store,
  events: ReturnType<typeof createEmitter>,
  consent: ReturnType<typeof createConsentRuntime>,
  segs: ReturnType<typeof createSegmentRuntime>,
  interests: ReturnType<typeof createInterestRuntime>,
  personal: ReturnType<typeof createLazyPersonalization>,
  reporting: ReportingRuntime,
  persistence: ReturnType<typeof createPersistence>,
  exclusive: <T>(fn: () => Promise<T>) => Promise<T>,
  emitSegments: (list: Membership[]) => void,
  dropAll: () => void,
  catalog: () => CatalogEntry[],
  close: () => void,
): Client {
  let closed = false;
  let closing: Promise<void> | undefined;
  // Calls in flight when close() is called finish first (a track just before close() is stored,
  // not cut off by the closing database); flush() and decide() are not waited for (bounded by their own timeouts).
  const inflight = new Set<Promise<unknown>>();
  const live = <A extends unknown[], R>(fn: (...a: A) => Promise<R>, wait = true) => async (...a: A): Promise<R> => {
    if (closed) throw new CohortkitError('closed', 'this client was closed; create a new one');
    const p = fn(...a);
    if (wait) {
      const done = () => inflight.delete(p);
      inflight.add(p), p.then(done, done);
    }
    return p;
  };
  const client: Client = {
    get storage() { return store().kind; },
    consent: consent.api(live),
    track: live(async (event, props) => { const v = validateTrack(event, props); return segs.track(v.event, v.props); }),
    interests: { get: () => interests.get(), list: () => interests.list(),
      declare: live(async (ids) => { const r = await interests.declare(ids); if (r.changed) consent.post('signals'), emitSegments(await segs.memberships()); return { stored: r.stored, reason: r.reason }; }) },
    segments: live(() => segs.memberships()),
    explain: live(async (id: string) => { if (typeof id !== 'string') throw new CohortkitError('invalid-argument', 'segmentId: expected a string'); return segs.explain(id); }),
    decide: live((request) => personal.decide(request), false),
    flush: live(() => reporting.flush(), false),
    exportData: live(async (): Promise<DataExport> => ({ exportedAt: opts.now(), consent: { state: consent.manager.get(), history: await consent.manager.history() }, signals: segs.exportSignals(), interests: interests.get(),
      segments: await segs.memberships(), ...(await reporting.exportData()), personalization: await personal.exportData(), storage: store().kind, persistence: await persistence.state(store().kind === 'indexeddb') })),
    forget: live(async () => {
      await exclusive(async () => (await store().destroy(), dropAll()));
      consent.post('consent'), events.emit('consent', consent.manager.get()), emitSegments([]);
    }),
    on: (event, listener) => events.on(event, listener),
    catalog,
    purposes: opts.purposes.map((x) => ({ ...x })),
    close: () => (closing ??= (async () => { closed = true; await Promise.allSettled([...inflight]); close(); events.clear(); })()),
  };
  // The tag queue reports its commands' errors here, as the client's own (delivered, or kept for the first listener).
  return Object.assign(client, { [EMIT]: (e: unknown) => events.emit('error', e) });
}
