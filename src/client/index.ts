// createClient composes the runtimes: consent (consent.ts), signals + segments (segments.ts),
// interests (interests.ts), reporting (reporting.ts, an add-on), personalization (an add-on: personalization-addon.ts).
import { catalogEntries } from '../catalog/entries';
import { createLock } from '../consent';
import { createEmitter } from '../emitter';
import { CohortkitError, isCohortkitError } from '../errors';
import { normalizeOptions } from '../options';
import { compileSegments } from '../segments';
import { openStore, type Store } from '../storage';
import { createPersistence } from '../storage/persist';
import { primeStore } from '../storage/primed';
import type { Client, ClientOptions } from '../types';
import { startAddons } from './addons';
import { createConsentRuntime } from './consent';
import { createInterestRuntime } from './interests';
import { createLazyPersonalization } from './personalization-addon';
import { createSegmentRuntime, onlyChanges } from './segments';
import { createSurface } from './surface';

const EXPIRE_EVERY_MS = 10 * 60_000;

/**
 * Create a cohortkit client: validates options (rejects with `invalid-options` naming the
 * path), opens storage (IndexedDB, or memory when it is unavailable), restores consent.
 * @param options see ClientOptions in API.md; everything is optional.
 */
export async function createClient(options: ClientOptions = {}): Promise<Client> {
  const opts = normalizeOptions(options);
  const purposes = opts.purposes.map((p) => p.id);
  const catalog = compileSegments(opts.raw.segments ?? [], { purposes, interests: opts.interests.map((i) => i.id) });
  const events = createEmitter();
  const reportError = (e: unknown) => events.emit('error', isCohortkitError(e) ? e : new CohortkitError('storage', String(e), e));
  let closed = false;
  // The configured add-ons load (and validate `interop`, `report`, `cohorts`) while storage opens.
  const addons = startAddons(opts, purposes, catalog, reportError);
  // A forget() in another tab deletes the database under us: drop what this tab holds too (bound below).
  let deletedElsewhere = () => {};
  const real = await openStore({ storage: opts.storage, namespace: opts.namespace, encryptAtRest: opts.encryptAtRest, onError: reportError, onDeleted: () => deletedElsewhere() });
  const { connectInterop, spaces, createRuntime, context } = await addons(() => real.close());
  // Cold start: each store read once (one transaction); the start-up reads are served from it.
  let store: Store = await primeStore(real);
  const persistence = createPersistence(opts.persistStorage && store.kind === 'indexeddb', reportError); // never awaited (Firefox prompts)
  const exclusive = createLock(`cohortkit:${opts.namespace}`);
  const isGranted = (p: string) => consent.manager.isGranted(p);
  const base = { store: () => store, now: opts.now, isGranted, exclusive };
  const retention = new Map(opts.purposes.map((p) => [p.id, p.retentionDays ?? opts.retentionDays]));

  const emitSegments = onlyChanges((list) => events.emit('segments', list));
  const interests = createInterestRuntime({ ...base, interests: opts.interests });
  const segs = createSegmentRuntime({ ...base, catalog, declared: () => interests.get(), onError: reportError, context,
    retentionDays: (ps) => Math.min(opts.retentionDays, ...ps.map((p) => retention.get(p) ?? opts.retentionDays)),
    onSegments: (m) => emitSegments(m), onSignals: () => consent.post('signals') });
  const reporting = createRuntime({ ...base, purposes, consentState: () => consent.manager.get(),
    members: () => { const explain = segs.evaluator(); return (id) => explain(id).member; }, onReport: (r) => events.emit('report', r), onError: reportError });
  const personal = createLazyPersonalization({ ...base, catalog, evaluator: () => segs.evaluator(), signals: () => segs.exportSignals(), track: (e, p) => segs.track(e, p), onError: reportError });
  // After a change here or in another tab (whose withdrawal purged the store there): drop what this tab still holds.
  const sweep = async () => (await interests.sweep(), await reporting.sweep(), emitSegments(await segs.sweep()));
  let swept: Promise<unknown> = Promise.resolve(); // the last change's sweep: forget() waits for it
  const consent = createConsentRuntime({ ...base, namespace: opts.namespace, purposes, policyVersion: opts.policyVersion, respectGPC: opts.respectGPC, onError: reportError,
    planPurge: (purpose, outbox) => { const r = reporting.planPurge(purpose, outbox as never); segs.forgetPurpose(purpose); interests.forgetPurpose(purpose); return { ops: [...r.ops, ...personal.planPurge(purpose)], reports: r.queued }; },
    onChange: (state) => (events.emit('consent', state), (swept = sweep().catch(reportError))),
    onSignals: async () => (await interests.load(), await exclusive(() => segs.load()), emitSegments(await segs.memberships())) });
  // Everything this tab holds about the visitor, in memory (forget() here, or a deletion by a forget() elsewhere).
  const dropAll = () => (consent.manager.reset(), reporting.forget(), segs.forgetPurpose(), interests.forgetPurpose(), personal.forget());
  deletedElsewhere = () => (dropAll(), events.emit('consent', consent.manager.get()), emitSegments([]));
  const start = async () => (await consent.manager.init(), await interests.sweep(), await segs.sweep(), await reporting.sweep(), await segs.expire());
  // A store that fails mid-start: continue from memory rather than break the page.
  await start().catch(async (e) => (reportError(e), real.close(), (store = await openStore({ storage: 'memory', namespace: opts.namespace, onError: reportError })), start()));
  if (store !== real && 'release' in store) (store as { release(): void }).release(), (store = real);
  reporting.kick();
  const expiry = setInterval(() => (void segs.expire().catch(reportError), reporting.kick()), EXPIRE_EVERY_MS);
  (expiry as { unref?: () => void }).unref?.();
  let disconnect = () => {}; // the surface exists before the CMP adapters connect: a CMP may answer in a microtask
  const client = createSurface(opts, () => store, events, consent, segs, interests, personal, reporting, persistence, (fn) => swept.then(() => exclusive(fn)), emitSegments, dropAll, () => catalogEntries(catalog, spaces, opts),
    () => ((closed = true), clearInterval(expiry), reporting.close(), disconnect(), consent.close(), store.close()));
  disconnect = await connectInterop({ onError: reportError, state: () => consent.manager.get(), onConsent: (l) => events.on('consent', l as (d: unknown) => void),
    update: (choices, source) => { const known = Object.fromEntries(Object.entries(choices).filter(([p]) => purposes.includes(p))); if (!closed && Object.keys(known).length) void client.consent.update(known, { source }).catch(reportError); },
  }).catch((e) => (reportError(e), () => {}));
  return client;
}
