import { createConsentManager, createLock, createTabSync, type ConsentManager } from './consent';
import { createEmitter } from './emitter';
import { CohortkitError, isCohortkitError } from './errors';
import { normalizeOptions } from './options';
import { openStore, type Store, type WriteOp } from './storage';
import type { Client, ClientOptions, ConsentState, DataExport } from './types';

/**
 * Create a cohortkit client: validates options (rejects with `invalid-options` naming the
 * path), opens storage (IndexedDB, or memory when it is unavailable), restores consent.
 * @param options see ClientOptions in API.md; everything is optional.
 */
export async function createClient(options: ClientOptions = {}): Promise<Client> {
  const opts = normalizeOptions(options);
  const purposeIds = opts.purposes.map((p) => p.id);
  const events = createEmitter();
  const reportError = (e: unknown) =>
    events.emit('error', isCohortkitError(e) ? e : new CohortkitError('storage', String(e), e));
  let closed = false;

  let store: Store = await openStore({ storage: opts.storage, namespace: opts.namespace, onError: reportError });
  const serial = createLock(`cohortkit:${opts.namespace}:ledger`);

  const gpc =
    opts.respectGPC &&
    typeof navigator !== 'undefined' &&
    (navigator as Navigator & { globalPrivacyControl?: boolean }).globalPrivacyControl === true;

  const planPurge = async (purpose: string) => {
    const ops: WriteOp[] = [];
    const counts = { signals: 0, memberships: 0, reports: 0 };
    for (const s of await store.getAll('signals'))
      if (s.purposes.includes(purpose)) ops.push({ type: 'delete', store: 'signals', key: s.key }), counts.signals++;
    for (const m of await store.getAll('memberships'))
      if (m.purposes.includes(purpose)) ops.push({ type: 'delete', store: 'memberships', key: m.id }), counts.memberships++;
    for (const r of await store.getAll('outbox'))
      if (!r.sentAt && r.purposes.includes(purpose)) ops.push({ type: 'delete', store: 'outbox', key: r.id }), counts.reports++;
    return { ops, counts };
  };

  const sync = createTabSync(opts.namespace, (m) => {
    if (m.type === 'consent') void consent.reload().catch(reportError);
  });

  const consent: ConsentManager = createConsentManager({
    store: () => store,
    purposes: purposeIds,
    policyVersion: opts.policyVersion,
    now: opts.now,
    gpc,
    exclusive: serial,
    planPurge,
    onChange(state: ConsentState) {
      events.emit('consent', state);
    },
  });
  try {
    await consent.init();
  } catch (e) {
    // A store that fails mid-start: continue from memory rather than break the page.
    reportError(e);
    store.close();
    store = await openStore({ storage: 'memory', namespace: opts.namespace, onError: reportError });
    await consent.init();
  }

  const live = () => {
    if (closed) throw new CohortkitError('closed', 'this client was closed; create a new one');
  };
  const guard = <A extends unknown[], R>(fn: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      live();
      return fn(...a);
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
    track: guard(async () => ({ stored: false, reason: 'unreferenced' as const })),
    segments: guard(async () => []),
    explain: guard(async (id: string) => ({
      segment: id,
      member: false,
      reason: 'unknown-segment' as const,
      conditions: [],
      signals: [],
      purposes: [],
    })),
    decide: guard(async (req) => ({ value: req.fallback, reason: 'no-match' as const })),
    flush: guard(async () => ({ sent: 0, queued: 0 })),
    exportData: guard(async (): Promise<DataExport> => ({
      exportedAt: opts.now(),
      consent: { state: consent.get(), history: await consent.history() },
      signals: [],
      segments: [],
      reports: { queued: [], sent: [] },
      privacy: { epochs: [] },
      storage: store.kind,
    })),
    forget: guard(async () => {
      await serial(async () => {
        await store.destroy();
        consent.reset();
      });
      sync.post({ type: 'consent' });
      events.emit('consent', consent.get());
    }),
    on: (event, listener) => events.on(event, listener),
    async close() {
      if (closed) return;
      closed = true;
      sync.close();
      store.close();
      events.clear();
    },
  };
  return client;
}
