import { catalogEntries } from '../catalog/entries';
import { createConsentManager, createLock, createTabSync, type ConsentManager } from '../consent';
import { prepareInterop } from '../consent/interop';
import { prepareReporting } from './reporting-addon';
import { preloadEncryption } from './load-encrypt';
import { createInterestRuntime } from './interests';
import { createSegmentRuntime } from './segments';
import { createEmitter } from '../emitter';
import { CohortkitError, isCohortkitError } from '../errors';
import { normalizeOptions } from '../options';
import { EXPOSURE_EVENT, armToRecord, createLocalId, decideVariant, experimentPurposes, holdoutBucket, keptArm, pruneExposures, validateDecideRequest, parseDuration } from '../personalization';
import { compileSegments } from '../segments';
import { contextFromWindow, validateTrack } from '../signals';
import { deletes, openStore, relyingOn, type Store } from '../storage';
import { createPersistence } from '../storage/persist';
import type { Client, ClientOptions, ConsentState, DataExport, Decision, Membership } from '../types';

const EXPIRE_EVERY_MS = 10 * 60_000;
const CAPS_KEY = 'decide:caps';
const LOCAL_ID_KEY = 'decide:localId';

/**
 * Create a cohortkit client: validates options (rejects with `invalid-options` naming the
 * path), opens storage (IndexedDB, or memory when it is unavailable), restores consent.
 * @param options see ClientOptions in API.md; everything is optional.
 */
export async function createClient(options: ClientOptions = {}): Promise<Client> {
  const opts = normalizeOptions(options);
  const purposeIds = opts.purposes.map((p) => p.id);
  const catalog = compileSegments(opts.raw.segments ?? [], { purposes: purposeIds, interests: opts.interests.map((i) => i.id) });
  const interopReady = prepareInterop(opts.raw.interop, purposeIds);
  const events = createEmitter();
  const reportError = (e: unknown) =>
    events.emit('error', isCohortkitError(e) ? e : new CohortkitError('storage', String(e), e));
  let closed = false;
  // Private reporting is an add-on: it loads (and validates `report`, `cohorts`) while storage opens.
  const reportingReady = prepareReporting(opts.raw, catalog, reportError);
  if (opts.encryptAtRest && opts.storage !== 'memory') preloadEncryption();

  let store: Store = await openStore({ storage: opts.storage, namespace: opts.namespace, encryptAtRest: opts.encryptAtRest, onError: reportError });
  const connectInterop = await interopReady.settle(() => store.close());
  const { spaces, createRuntime } = await reportingReady.settle(() => store.close());
  // Opt-in, never awaited (Firefox prompts the visitor): what came of it shows in exportData().
  const persistence = createPersistence(opts.persistStorage && store.kind === 'indexeddb', reportError);
  const exclusive = createLock(`cohortkit:${opts.namespace}`);

  const gpc =
    opts.respectGPC &&
    typeof navigator !== 'undefined' &&
    (navigator as Navigator & { globalPrivacyControl?: boolean }).globalPrivacyControl === true;

  // Personalization state: exposures per slot+segment and the local holdout id. Persisted only
  // while `personalization` is granted; otherwise they live for this page only.
  const exposures = new Map<string, number[]>();
  let localId: string | undefined;
  let savedLocalId: string | undefined; // the id persisted in the store, if any

  const retention = new Map(opts.purposes.map((p) => [p.id, p.retentionDays ?? opts.retentionDays]));
  const interests = createInterestRuntime({
    interests: opts.interests,
    store: () => store,
    now: opts.now,
    isGranted: (p) => consent.isGranted(p),
    exclusive,
  });
  const segs = createSegmentRuntime({
    catalog,
    store: () => store,
    now: opts.now,
    isGranted: (p) => consent.isGranted(p),
    context: () => contextFromWindow(typeof window === 'undefined' ? undefined : window, opts.now()),
    declared: () => interests.get(),
    retentionDays: (ps) => Math.min(opts.retentionDays, ...ps.map((p) => retention.get(p) ?? opts.retentionDays)),
    exclusive,
    onSegments: (m) => emitSegments(m),
    onSignals: () => sync.post({ type: 'signals' }),
    onError: reportError,
  });

  const reporting = createRuntime({
    store: () => store,
    now: opts.now,
    isGranted: (p) => consent.isGranted(p),
    purposes: purposeIds,
    consentState: () => consent.get(),
    members: () => {
      const explain = segs.evaluator();
      return (id) => explain(id).member;
    },
    exclusive,
    onReport: (r) => events.emit('report', r),
    onError: reportError,
  });

  const planPurge = async (purpose: string) => {
    const relies = (p: string) => p === purpose;
    const signals = relyingOn(await store.getAll('signals'), relies);
    const memberships = relyingOn(await store.getAll('memberships'), relies);
    const outbox = reporting.planPurge(purpose, await store.getAll('outbox'));
    const ops = [...deletes('signals', signals), ...deletes('memberships', memberships), ...outbox.ops];
    if (purpose === 'personalization') {
      // Frequency caps and the holdout id are personalization state too.
      ops.push({ type: 'delete', store: 'meta', key: CAPS_KEY }, { type: 'delete', store: 'meta', key: LOCAL_ID_KEY });
      exposures.clear();
      localId = savedLocalId = undefined;
    }
    segs.forgetPurpose(purpose);
    // Declared interests live in the signals store: counted in `signals` above.
    interests.forgetPurpose(purpose);
    return { ops, counts: { signals: signals.length, memberships: memberships.length, reports: outbox.queued } };
  };

  // 'segments' fires when the set of memberships (id, version, since) changes, never twice for one.
  let lastSegments = '[]';
  const emitSegments = (list: Membership[]) => {
    const sig = JSON.stringify(list.map((m) => [m.id, m.version, m.since]));
    if (sig === lastSegments) return;
    lastSegments = sig;
    events.emit('segments', list);
  };
  // A withdrawal already dropped the memberships from the caches, so the sweep's reconcile
  // may see no change: emit its result (emitSegments ignores a repeat).
  const afterConsentChange = async () => {
    // Another tab's withdrawal purged the store there: drop what this tab still holds.
    await interests.sweep();
    await reporting.sweep();
    emitSegments(await segs.sweep());
  };

  // Another tab's changes, applied one message at a time in order (a consent change before the
  // signals that follow it). New signals there can change memberships here: 'segments' fires.
  let synced = Promise.resolve();
  const sync = createTabSync(opts.namespace, (m) => {
    synced = synced
      .then(async () => {
        if (m.type === 'consent') await consent.reload();
        if (m.type === 'signals') await interests.load(), await exclusive(() => segs.load()), emitSegments(await segs.memberships());
      })
      .catch(reportError);
  });

  const consent: ConsentManager = createConsentManager({
    store: () => store,
    purposes: purposeIds,
    policyVersion: opts.policyVersion,
    now: opts.now,
    gpc,
    exclusive,
    planPurge,
    onChange(state: ConsentState) {
      events.emit('consent', state);
      void afterConsentChange().catch(reportError);
    },
  });

  const start = async () => {
    await consent.init();
    await interests.sweep();
    await segs.sweep();
    await reporting.sweep();
    await segs.expire();
  };
  try {
    await start();
  } catch (e) {
    // A store that fails mid-start: continue from memory rather than break the page.
    reportError(e);
    store.close();
    store = await openStore({ storage: 'memory', namespace: opts.namespace, onError: reportError });
    await start();
  }

  reporting.kick();
  const expiry = setInterval(() => {
    void segs.expire().catch(reportError);
    reporting.kick();
  }, EXPIRE_EVERY_MS);
  (expiry as { unref?: () => void }).unref?.();

  const persistPersonalization = () => consent.isGranted('personalization');
  // Restore personalization state (present only if it was persisted under consent).
  // A read that fails here is reported; the client starts without that state, never rejects for it.
  const restore = (key: string) => store.get('meta', key).catch((e) => void reportError(e));
  for (const [k, v] of Object.entries(((await restore(CAPS_KEY)) ?? {}) as Record<string, number[]>)) exposures.set(k, v);
  localId ??= savedLocalId = (await restore(LOCAL_ID_KEY)) as string | undefined;

  const connectedInterop = await connectInterop({
    update: (choices, source) => {
      const known = Object.fromEntries(Object.entries(choices).filter(([p]) => purposeIds.includes(p)));
      if (!closed && Object.keys(known).length) void client.consent.update(known, { source }).catch(reportError);
    },
    onError: reportError,
    onConsent: (l) => events.on('consent', l as (d: unknown) => void),
    state: () => consent.get(),
  }).catch((e) => (reportError(e), () => {}));

  const live = () => {
    if (closed) throw new CohortkitError('closed', 'this client was closed; create a new one');
  };
  const guard =
    <A extends unknown[], R>(fn: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      live();
      return fn(...a);
    };

  const memberEnv = () => {
    const explain = segs.evaluator();
    return (id: string) => {
      const seg = catalog.get(id);
      return {
        known: !!seg,
        member: !!seg && explain(id).member,
        sensitive: !!seg?.sensitive,
        granted: !!seg && seg.effectivePurposes.every((p) => consent.isGranted(p)),
      };
    };
  };

  const client: Client = {
    get storage() {
      return store.kind;
    },
    consent: {
      get: () => consent.get(),
      update: guard(async (choices, meta) => {
        const before = JSON.stringify(consent.get());
        const state = await consent.update(choices, meta);
        if (JSON.stringify(state) !== before) sync.post({ type: 'consent' });
        return state;
      }),
      history: guard(() => consent.history()),
      verify: guard(() => consent.verify()),
    },
    track: guard(async (event, props) => {
      const v = validateTrack(event, props);
      return segs.track(v.event, v.props);
    }),
    interests: {
      get: () => interests.get(),
      list: () => interests.list(),
      declare: guard(async (ids) => {
        const r = await interests.declare(ids);
        if (r.changed) {
          sync.post({ type: 'signals' });
          emitSegments(await segs.memberships());
        }
        return { stored: r.stored, reason: r.reason };
      }),
    },
    segments: guard(() => segs.memberships()),
    explain: guard(async (id: string) => {
      if (typeof id !== 'string') throw new CohortkitError('invalid-argument', 'segmentId: expected a string');
      return segs.explain(id);
    }),
    decide: guard(async (request): Promise<Decision> => {
      const req = validateDecideRequest(request);
      const now = opts.now();
      // A stored local id whose consent is gone (withdrawn here or in another tab) is gone too.
      if (savedLocalId && !persistPersonalization()) localId = savedLocalId = undefined;
      // An experiment reads this slot when a segment reads its exposure event; nobody is
      // randomized into an arm before that experiment's purposes are granted.
      const exp = experimentPurposes(catalog, req.slot);
      const randomize = !exp || exp.every((p) => consent.isGranted(p));
      const d = decideVariant(req, {
        member: memberEnv(),
        // The local id is made only when a bucket is needed: an eligible visitor and a holdout.
        holdoutBucket: () => holdoutBucket((localId ??= createLocalId((b) => crypto.getRandomValues(b))), req.slot),
        randomize,
        exposures: (slot, segment) => exposures.get(`${slot}|${segment}`) ?? [],
        now,
      });
      // Persisted (once) while personalization is granted; before that it lives for this page.
      // The decision stands whatever storage does: a refused write is an `error` event, and the
      // state it would have saved stays in memory for this page (the host page still personalizes).
      const save = (p: Promise<unknown>) => p.then(() => true, (e) => (reportError(e), false));
      if (localId && localId !== savedLocalId && persistPersonalization()) {
        if (await save(store.write([{ type: 'put', store: 'meta', key: LOCAL_ID_KEY, value: localId }]))) savedLocalId = localId;
      }
      // Intent to treat: the arm of the first eligible decision, kept in the exposure signal and
      // re-recorded by every later decision of the slot, whatever it returns.
      if (exp && randomize) {
        const arm = armToRecord(keptArm(segs.exportSignals(), req.slot, now), d.reason, req.holdout);
        if (arm) await save(segs.track(EXPOSURE_EVENT, { slot: req.slot, arm }));
      }
      if (d.reason === 'segment' && req.cap) {
        const key = `${req.slot}|${d.segment}`;
        const per = parseDuration(req.cap.per)!;
        exposures.set(key, [...pruneExposures(exposures.get(key) ?? [], now, per), now]);
        if (persistPersonalization())
          await save(store.write([{ type: 'put', store: 'meta', key: CAPS_KEY, value: Object.fromEntries(exposures) }]));
      }
      return d;
    }),
    flush: guard(() => reporting.flush()),
    exportData: guard(
      async (): Promise<DataExport> => ({
        exportedAt: opts.now(),
        consent: { state: consent.get(), history: await consent.history() },
        signals: segs.exportSignals(),
        interests: interests.get(),
        segments: await segs.memberships(),
        ...(await reporting.exportData()),
        storage: store.kind,
        persistence: await persistence.state(store.kind === 'indexeddb'),
      }),
    ),
    forget: guard(async () => {
      await exclusive(async () => {
        await store.destroy();
        consent.reset();
        reporting.forget();
        segs.forgetPurpose();
        interests.forgetPurpose();
        exposures.clear();
        localId = savedLocalId = undefined;
      });
      sync.post({ type: 'consent' });
      events.emit('consent', consent.get());
      emitSegments([]);
    }),
    on: (event, listener) => events.on(event, listener),
    catalog: () => catalogEntries(catalog, spaces, opts),
    purposes: opts.purposes.map((p) => ({ ...p })),
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(expiry);
      reporting.close();
      connectedInterop();
      sync.close();
      store.close();
      events.clear();
    },
  };
  return client;
}
