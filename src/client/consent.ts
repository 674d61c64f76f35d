// The consent runtime: the ledger manager (restore, update with purge receipts, GPC), the
// cross-tab channel (another tab's consent change or signals, applied one message at a time, in
// order) and the client's `consent` API. What a withdrawal purges is planned by the other runtimes.
import { createConsentManager, createTabSync, type ConsentManager } from '../consent';
import { deletes, relyingOn, type Store, type WriteOp } from '../storage';
import type { Client, ConsentState } from '../types';

export interface ConsentRuntimeOptions {
  store: () => Store;
  namespace: string;
  purposes: string[];
  policyVersion?: string;
  now: () => number;
  respectGPC: boolean;
  exclusive: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Everything else that relied on `purpose` (caches dropped): outbox ops and queued reports, personalization meta. */
  planPurge(purpose: string, outbox: unknown[]): { ops: WriteOp[]; reports: number };
  /** The state changed, here or in another tab: announce it, then sweep (never rejects the caller). */
  onChange(state: ConsentState): void;
  /** Another tab stored signals or declared interests. */
  onSignals(): Promise<void>;
  onError(e: unknown): void;
}

/** Window of the 'signals' announcements (see `announce` below). */
const ANNOUNCE_EVERY_MS = 50;

export function createConsentRuntime(o: ConsentRuntimeOptions) {
  const gpc =
    o.respectGPC && typeof navigator !== 'undefined' && (navigator as Navigator & { globalPrivacyControl?: boolean }).globalPrivacyControl === true;

  /** Everything stored that relied on `purpose`: signals (declared interests among them), memberships, the rest. */
  const planPurge = async (purpose: string) => {
    const relies = (p: string) => p === purpose;
    const signals = relyingOn(await o.store().getAll('signals'), relies);
    const memberships = relyingOn(await o.store().getAll('memberships'), relies);
    const rest = o.planPurge(purpose, await o.store().getAll('outbox'));
    const ops = [...deletes('signals', signals), ...deletes('memberships', memberships), ...rest.ops];
    return { ops, counts: { signals: signals.length, memberships: memberships.length, reports: rest.reports } };
  };

  // Another tab's changes, one message at a time in order (a consent change before the signals that follow it).
  // A 'signals' message right behind a signals reload that has not started yet adds none: that
  // reload reads the store after both writes (a message is posted after its write). So a burst of
  // tracks in another tab costs this tab one or two reloads, not one each.
  let synced = Promise.resolve();
  let waiting: { type: string } | undefined;
  const sync = createTabSync(o.namespace, (m) => {
    o.store().changedElsewhere?.();
    if (m.type === 'signals' && waiting?.type === 'signals') return;
    const item = (waiting = { type: m.type });
    synced = synced
      .then(async () => {
        if (waiting === item) waiting = undefined;
        if (m.type === 'consent') await manager.reload();
        if (m.type === 'signals') await o.onSignals();
      })
      .catch(o.onError);
  });

  // Tracks announce their writes ('signals': "reload them") at most once a window: the first at
  // once, the rest of a burst in one message at its end (posting is ~0.1 ms a track in Chromium;
  // the receiver reloads the store whole anyway). A pending one goes with a closing page.
  let quiet = 0;
  let pending: ReturnType<typeof setTimeout> | undefined;
  const announce = () => ((pending = undefined), (quiet = Date.now() + ANNOUNCE_EVERY_MS), sync.post({ type: 'signals' }));
  const flushSignals = () => pending && (clearTimeout(pending), announce());
  const hasWindow = typeof addEventListener == 'function';
  if (hasWindow) addEventListener('pagehide', flushSignals);

  const manager: ConsentManager = createConsentManager({
    store: o.store,
    purposes: o.purposes,
    policyVersion: o.policyVersion,
    now: o.now,
    gpc,
    exclusive: o.exclusive,
    planPurge,
    onChange: o.onChange,
  });

  return {
    manager,
    /** Tell other tabs (`consent`, `signals`). */
    post: (type: 'consent' | 'signals') =>
      type != 'signals' ? sync.post({ type }) : pending ?? (Date.now() < quiet ? (pending = setTimeout(announce, quiet - Date.now())) : announce()),
    /** The client's `consent` API; `live` wraps each call that needs an open client. */
    api(live: <A extends unknown[], R>(fn: (...a: A) => Promise<R>) => (...a: A) => Promise<R>): Client['consent'] {
      return {
        get: () => manager.get(),
        update: live(async (choices, meta) => {
          const before = JSON.stringify(manager.get());
          const state = await manager.update(choices, meta);
          if (JSON.stringify(state) !== before) sync.post({ type: 'consent' });
          return state;
        }),
        history: live(() => manager.history()),
        verify: live(() => manager.verify()),
      };
    },
    close: () => (flushSignals(), hasWindow && removeEventListener('pagehide', flushSignals), sync.close()),
  };
}

export type ConsentRuntime = ReturnType<typeof createConsentRuntime>;
