// The stateful half of private reporting: once per epoch and space, assign the visitor's
// cohort, randomize it (memoized), queue the report, and deliver it with retries.
// Pure work is delegated to src/reporting and src/privacy; the queueing (assignment, draw,
// accounting) is in reporting-enqueue.ts.
import {
  due,
  lifetimeView,
  nextAttempt,
  outcomeOf,
  readLifetime,
  sendReports,
  settle,
  type CompiledSpace,
  type ReportConfig,
} from '../reporting';
import { CohortkitError, isCohortkitError } from '../errors';
// From the modules, not '../storage': its index pulls idb (and its side effects) into the add-on.
import { deletes, relyingOn } from '../storage/ops';
import { createPendingWrites } from '../storage/pending';
import type { OutboxEntry } from '../storage/schema';
import type { Store, WriteOp } from '../storage/store';
import { compileConsentSpace } from '../metrics/consent-space';
import type { ConsentState, LDPReport, PrivacyEpoch } from '../types';
import { EPOCHS_KEY, LIFETIME_KEY, isEntry, purgeOutbox, type EpochRecord } from './reporting-keys';
import { createEnqueue } from './reporting-enqueue';

/**
 * flush() must resolve within 10 s even when the endpoint hangs: its sending ends 8 s after the
 * call (a pass in progress waited for included), and it resolves 9 s after the call at the latest
 * (a pass or a store that hangs). An automatic pass's sending ends 8 s after it starts.
 */
const SEND_TIMEOUT_MS = 8000;
const FLUSH_MS = 9000;


export interface ReportingRuntimeOptions {
  spaces: CompiledSpace[];
  config: ReportConfig | undefined;
  store: () => Store;
  now: () => number;
  isGranted(purpose: string): boolean;
  /** The declared purposes and the consent state (the cohort of the built-in consent space). */
  purposes: string[];
  consentState(): ConsentState;
  /** Segment membership right now (pure evaluation). */
  members(): (segmentId: string) => boolean;
  exclusive: <T>(fn: () => Promise<T>) => Promise<T>;
  onReport(report: LDPReport): void;
  onError(e: unknown): void;
}

export function createReportingRuntime(o: ReportingRuntimeOptions) {
  const { spaces, config } = o;
  // report.consentRates: the built-in consent space, reported after the declared ones. Under
  // 'exempt' it relies on no purpose (purposes []) and is held back only while GPC is on.
  const exempt = config?.consentRates === 'exempt';
  if (config?.consentRates && spaces.some((s) => s.id === 'consent'))
    throw new CohortkitError('invalid-options', 'cohorts: the space id "consent" is reserved while report.consentRates is on');
  const cs = config?.consentRates && compileConsentSpace(o.purposes, config.consentRates);
  const all = cs ? [...spaces, cs] : spaces;
  const spaceIds = all.map((s) => s.id);
  // The consent space is not drawn by the pass at start (a banner has not answered yet) but by
  // flush(), the page being hidden, back online, or the periodic pass: the state after the visit.
  let settled = false;
  const gpcOn = () => typeof navigator !== 'undefined' && (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl === true;
  /** A space (or queued entry) may report now: its purposes granted; with none (exempt), measurement or no GPC. */
  const mayReport = (s: { purposes: string[] }) =>
    s.purposes.length ? s.purposes.every(o.isGranted) : exempt && (o.isGranted('measurement') || !gpcOn());
  let timer: ReturnType<typeof setTimeout> | undefined;
  let sending: Promise<{ sent: number; queued: number }> | undefined;
  let closed = false;

  const fault = (e: unknown) => o.onError(isCohortkitError(e) ? e : new CohortkitError('storage', String(e), e));
  // Storage faults never fail a pass: writes the store refuses wait here (laid over what it holds)
  // and go with the next write, retried with backoff.
  const pending = createPendingWrites();
  /**
   * Reports drawn by a pass whose writes the store refused. Never sent and never written as they
   * are: the next pass drops them and draws from what the store holds then (another tab may have
   * reported the epoch meanwhile). Sent and then lost with the page, a draft would be drawn afresh
   * on the next one: a second report of the epoch.
   */
  const drafts = new Map<string, OutboxEntry>();
  const withDrafts = (view: OutboxEntry[]) => [...view, ...[...drafts.values()].filter((d) => !view.some((e) => e.id === d.id))];
  let failures = 0;
  let retryAt = 0;
  /** The outbox as last read: what a page going away can still send without reading storage. */
  let lastRead: OutboxEntry[] = [];

  /**
   * The outbox as stored with the waiting writes applied. `strict` (default): a failed read
   * rejects; otherwise it is reported and only what waits in memory is returned.
   */
  const outbox = async (strict = true) => {
    let rows: OutboxEntry[] = [];
    try {
      // A stored record that is not an entry (edited by another script) is ignored, never fatal.
      rows = (await o.store().getAll('outbox')).filter(isEntry);
    } catch (e) {
      if (strict) throw e;
      fault(e);
    }
    return (lastRead = withDrafts(pending.view('outbox', rows)));
  };
  const readMeta = async <T>(key: string) => ((await o.store().get('meta', key)) ?? {}) as Record<string, T>;
  /**
   * Write `ops` with whatever waits; on a fault keep it waiting (a pass's draws become drafts
   * instead) and report it. Never throws.
   */
  const write = async (ops: WriteOp[], drawn?: OutboxEntry[]) => {
    const e = await pending.write(o.store(), ops, !drawn);
    if (e === undefined) {
      failures = 0;
      return;
    }
    drawn?.forEach((d) => drafts.set(d.id, d));
    retryAt = nextAttempt(++failures, o.now());
    fault(e);
  };

  const enqueue = createEnqueue(o, all, cs, mayReport, drafts, pending, write, readMeta, outbox);

  /**
   * Attempt the due (or, when forced, every) queued report. A draw not yet stored waits: sent and
   * then lost with the page, it would be drawn afresh on the next one (a second report of the epoch).
   * `until` (a flush's deadline, Date.now() time): its sending ends then; past it nothing is attempted.
   */
  const send = async (force: boolean, known?: OutboxEntry[], until?: number): Promise<{ sent: number; queued: number }> => {
    if (!config) return { sent: 0, queued: 0 };
    const ms = until ? until - Date.now() : SEND_TIMEOUT_MS;
    const ready =
      ms > 0 && (o.isGranted('measurement') || exempt)
        ? due(known ?? (await outbox(false)), o.now(), force).filter((e) => mayReport(e) && !drafts.has(e.id))
        : [];
    const delivered: LDPReport[] = [];
    if (ready.length) {
      const result = await sendReports(config.endpoint, ready.map((e) => e.report), { timeoutMs: ms });
      const at = o.now();
      ready.forEach((e, i) => outcomeOf(result, i) === 'sent' && delivered.push(e.report));
      // Re-read inside the section: a withdrawal meanwhile must not be undone by our write.
      await o.exclusive(async () => {
        const still = new Set((await outbox(false)).map((e) => e.id));
        const ops: WriteOp[] = [];
        ready.forEach((e, i) => {
          if (!still.has(e.id) || !e.purposes.every(o.isGranted)) return;
          const outcome = outcomeOf(result, i);
          const after = settle(e, { ok: outcome === 'sent', permanent: outcome === 'rejected' }, at);
          ops.push(after ? { type: 'put', store: 'outbox', value: after } : { type: 'delete', store: 'outbox', key: e.id });
        });
        await write(ops);
      });
      delivered.forEach(o.onReport);
    }
    const left = (await outbox(false)).filter((e) => !e.sentAt);
    schedule(left);
    return { sent: delivered.length, queued: left.length };
  };

  /** Automatic retries follow the backoff (a store that refused writes, its own); flush() ignores it. */
  const schedule = (queue: OutboxEntry[]) => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (closed || (!queue.length && !pending.size)) return;
    const times = queue.map((e) => (drafts.has(e.id) ? retryAt : e.nextAt));
    if (pending.size) times.push(retryAt);
    const wait = Math.max(1000, Math.min(...times) - o.now());
    timer = setTimeout(() => void run(false, settled).catch(o.onError), Math.min(wait, 3_600_000));
    (timer as { unref?: () => void }).unref?.();
  };

  /**
   * One sending pass at a time; a flush during a pass waits for it, then runs its own (sending
   * until the flush's deadline `until`). A storage fault never rejects a pass: it is reported and
   * the pass sends what it can.
   */
  const run = async (force: boolean, withConsent = force, until?: number) => {
    while (sending) await sending.catch(() => undefined);
    sending = (async () => {
      try {
        await enqueue(withConsent);
      } catch (e) {
        fault(e);
      }
      try {
        return await send(force, undefined, until);
      } catch (e) {
        fault(e);
        return { sent: 0, queued: withDrafts(pending.view('outbox', [])).filter((x) => !x.sentAt).length };
      }
    })();
    try {
      return await sending;
    } finally {
      sending = undefined;
    }
  };

  // Deliver what is queued when the page is hidden (keepalive outlives the page) or back online.
  // A page that is going away (navigation, closed tab) runs no task after this event, and a fetch
  // started after an IndexedDB read never leaves (in Chromium, Firefox and WebKit alike): the
  // outbox as last read is sent now, synchronously; then a normal pass queues and sends the rest.
  const onHidden = () => {
    if (document.visibilityState !== 'hidden') return;
    if (!sending) {
      const now = (sending = send(true, lastRead));
      void now.catch(fault).finally(() => sending === now && (sending = undefined));
    }
    void run(true).catch(o.onError);
  };
  const onOnline = () => void run(true).catch(o.onError);
  const hasDoc = typeof document !== 'undefined' && typeof addEventListener === 'function';
  if (hasDoc && config) {
    document.addEventListener('visibilitychange', onHidden);
    addEventListener('online', onOnline);
  }

  return {
    /** Queue what is due and send in the background (after consent or segment changes, at start). */
    kick: () => {
      if (config && all.length) void run(false, settled).catch(o.onError);
      settled = true;
    },
    /**
     * A pass sending until 8 s after the call (a pass in progress waited for included), whose
     * result it resolves with; if that pass has not ended 9 s after the call (a store that hangs),
     * then with what the outbox held at its last read (the pass goes on in the background).
     */
    flush: () => {
      let t: ReturnType<typeof setTimeout> | undefined;
      return Promise.race([
        run(true, true, Date.now() + SEND_TIMEOUT_MS),
        new Promise<{ sent: number; queued: number }>((r) => (t = setTimeout(() => r({ sent: 0, queued: lastRead.filter((e) => !e.sentAt).length }), FLUSH_MS))),
      ]).finally(() => clearTimeout(t));
    },
    /** Sent and queued reports, and the privacy accounting, for exportData(). */
    async exportData() {
      const rows = await outbox();
      const reports = (sent: boolean) => rows.filter((e) => !!e.sentAt == sent).map((e) => e.report);
      return {
        reports: { queued: reports(false), sent: reports(true) },
        privacy: {
          epochs: Object.entries(await readMeta<EpochRecord>(EPOCHS_KEY)).map(
            ([epoch, { spent, budget, skipped }]): PrivacyEpoch => ({ epoch: +epoch, spent, budget, skipped }),
          ),
          lifetime: config
            ? lifetimeView(readLifetime(await o.store().get('meta', LIFETIME_KEY), config.lifetimeBudget), spaceIds, config.epsilon, config.lifetimeBudget)
            : lifetimeView({}, [], 1, undefined),
        },
      };
    },
    /** Deletes that a withdrawal of `purpose` implies (queued and sent copies; memos with measurement), in memory too. */
    planPurge(purpose: string, all: OutboxEntry[]): { ops: WriteOp[]; queued: number } {
      const { gone, ops, queued } = purgeOutbox(purpose, withDrafts(pending.view('outbox', all)));
      const ids = new Set(gone.map((e) => e.id));
      ids.forEach((id) => drafts.delete(id));
      pending.drop((op) => op.type === 'put' && op.store === 'outbox' && ids.has(op.value.id));
      return { ops, queued };
    },
    /** Delete queued reports whose purposes are no longer all granted (a change in another tab), in memory first. */
    async sweep() {
      const lost = (p: string) => !o.isGranted(p);
      // Without measurement nothing that waits may be stored later (memos, accounting, reports):
      // a forget() in another tab looks like this here, and must not be undone by our next write.
      pending.drop((op) => op.type === 'put' && (lost('measurement') || (op.store === 'outbox' && op.value.purposes.some(lost))));
      for (const d of drafts.values()) if (lost('measurement') || d.purposes.some(lost)) drafts.delete(d.id);
      const gone = relyingOn(await outbox(), lost);
      if (gone.length) await write(deletes('outbox', gone));
    },
    /** forget(): nothing that waits in memory may be written into the new, empty database. */
    forget() {
      pending.drop(() => true);
      drafts.clear();
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      if (hasDoc && config) {
        document.removeEventListener('visibilitychange', onHidden);
        removeEventListener('online', onOnline);
      }
    },
  };
}

export type ReportingRuntime = ReturnType<typeof createReportingRuntime>;
