// The stateful half of private reporting: once per epoch and space, assign the visitor's
// cohort, randomize it (memoized), queue the report, and deliver it with retries.
// Pure work is delegated to src/reporting and src/privacy.
import {
  admit,
  assignCohort,
  buildReport,
  due,
  epochOf,
  memoKey,
  planEpoch,
  pruneSent,
  sendReports,
  settle,
  type CompiledSpace,
  type ReportConfig,
} from './reporting';
import { deletes, relyingOn, type OutboxEntry, type Store, type WriteOp } from './storage';
import type { LDPReport, PrivacyEpoch, ReportValue } from './types';

const MEMO_KEY = 'report:memo';
const EPOCHS_KEY = 'report:epochs';
/** flush() must resolve within 10 s even when the endpoint hangs. */
const SEND_TIMEOUT_MS = 8000;

type EpochRecord = { spent: number; spaces: string[]; skipped: string[]; budget: number };

export interface ReportingRuntimeOptions {
  spaces: CompiledSpace[];
  config: ReportConfig | undefined;
  store: () => Store;
  now: () => number;
  isGranted(purpose: string): boolean;
  /** Segment membership right now (pure evaluation). */
  members(): (segmentId: string) => boolean;
  exclusive: <T>(fn: () => Promise<T>) => Promise<T>;
  onReport(report: LDPReport): void;
  onError(e: unknown): void;
}

export function createReportingRuntime(o: ReportingRuntimeOptions) {
  const { spaces, config } = o;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let sending: Promise<{ sent: number; queued: number }> | undefined;
  let closed = false;

  const outbox = () => o.store().getAll('outbox');
  const readMeta = async <T>(key: string) => ((await o.store().get('meta', key)) ?? {}) as Record<string, T>;

  /** Queue this epoch's reports for every space that may report and has not yet. */
  const enqueue = () =>
    o.exclusive(async () => {
      if (!config || !spaces.length || !o.isGranted('measurement')) return;
      const { epsilon, mechanism } = config;
      const now = o.now();
      const epoch = epochOf(now, config.epoch);
      const epochs = await readMeta<EpochRecord>(EPOCHS_KEY);
      const rec = epochs[epoch];
      const plan = planEpoch(
        spaces.filter((s) => s.purposes.every(o.isGranted)),
        config,
        rec ?? { spent: 0, spaces: [] },
      );
      const skipped = [...new Set([...(rec?.skipped ?? []), ...plan.skipped])];
      if (!plan.report.length && rec && skipped.length === rec.skipped.length) return;
      const memo = await readMeta<ReportValue>(MEMO_KEY);
      // Copies of sent reports are kept until their epoch ends (for exportData), then deleted.
      const old = await outbox();
      let queue = pruneSent(old, now, config.epoch);
      const isMember = o.members();
      for (const id of plan.report) {
        const space = spaces.find((s) => s.id === id)!;
        const index = assignCohort(space, isMember);
        const key = memoKey(space, index, epsilon, mechanism);
        const { report, memo: m } = buildReport({ space, epoch, index, epsilon, mechanism, memo: memo[key] && { key, value: memo[key] } });
        memo[key] = m.value;
        queue = admit(queue, { id: report.id, report, purposes: space.purposes, attempts: 0, nextAt: now }).keep;
      }
      epochs[epoch] = { spent: plan.spent, spaces: [...(rec?.spaces ?? []), ...plan.report], skipped, budget: plan.budget };
      // Accounting is kept for 60 epochs (exportData shows it), then dropped.
      for (const e in epochs) if (!(+e > epoch - 60)) delete epochs[e];
      await o.store().write([
        ...deletes('outbox', old.filter((e) => !queue.includes(e))),
        ...queue.filter((e) => !old.includes(e)).map((value): WriteOp => ({ type: 'put', store: 'outbox', value })),
        { type: 'put', store: 'meta', key: MEMO_KEY, value: memo },
        { type: 'put', store: 'meta', key: EPOCHS_KEY, value: epochs },
      ]);
    });

  /** Attempt the due (or, when forced, every) queued report. */
  const send = async (force: boolean): Promise<{ sent: number; queued: number }> => {
    if (!config) return { sent: 0, queued: 0 };
    const ready = o.isGranted('measurement') ? due(await outbox(), o.now(), force).filter((e) => e.purposes.every(o.isGranted)) : [];
    const delivered: LDPReport[] = [];
    if (ready.length) {
      const result = await sendReports(config.endpoint, ready.map((e) => e.report), { timeoutMs: SEND_TIMEOUT_MS });
      const at = o.now();
      // Re-read inside the section: a withdrawal meanwhile must not be undone by our write.
      await o.exclusive(async () => {
        const still = new Set((await outbox()).map((e) => e.id));
        const ops: WriteOp[] = [];
        ready.forEach((e, i) => {
          if (!still.has(e.id)) return;
          const after = settle(e, i < result.sent ? { ok: true } : result, at);
          ops.push(after ? { type: 'put', store: 'outbox', value: after } : { type: 'delete', store: 'outbox', key: e.id });
          if (after?.sentAt) delivered.push(e.report);
        });
        await o.store().write(ops);
      });
      delivered.forEach(o.onReport);
    }
    const left = (await outbox()).filter((e) => !e.sentAt);
    schedule(left);
    return { sent: delivered.length, queued: left.length };
  };

  /** Automatic retries follow the backoff; flush() ignores it. */
  const schedule = (queue: OutboxEntry[]) => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (closed || !queue.length) return;
    const wait = Math.max(1000, Math.min(...queue.map((e) => e.nextAt)) - o.now());
    timer = setTimeout(() => void run(false).catch(o.onError), Math.min(wait, 3_600_000));
    (timer as { unref?: () => void }).unref?.();
  };

  /** One sending pass at a time; a flush during a pass waits for it, then runs its own. */
  const run = async (force: boolean) => {
    while (sending) await sending.catch(() => undefined);
    sending = (async () => {
      await enqueue();
      return send(force);
    })();
    try {
      return await sending;
    } finally {
      sending = undefined;
    }
  };

  // Deliver what is queued when the page is hidden (keepalive outlives the page) or back online.
  const onHidden = () => {
    if (document.visibilityState === 'hidden') void run(true).catch(o.onError);
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
      if (config && spaces.length) void run(false).catch(o.onError);
    },
    flush: () => run(true),
    /** Sent and queued reports, and the privacy accounting, for exportData(). */
    async exportData() {
      const all = await outbox();
      const reports = (sent: boolean) => all.filter((e) => !!e.sentAt == sent).map((e) => e.report);
      return {
        reports: { queued: reports(false), sent: reports(true) },
        privacy: {
          epochs: Object.entries(await readMeta<EpochRecord>(EPOCHS_KEY)).map(
            ([epoch, { spent, budget, skipped }]): PrivacyEpoch => ({ epoch: +epoch, spent, budget, skipped }),
          ),
        },
      };
    },
    /** Deletes that a withdrawal of `purpose` implies (queued and sent copies; memos with measurement). */
    planPurge(purpose: string, all: OutboxEntry[]): { ops: WriteOp[]; queued: number } {
      const gone = relyingOn(all, (p) => p === purpose);
      const ops = deletes('outbox', gone);
      if (purpose === 'measurement') ops.push({ type: 'delete', store: 'meta', key: MEMO_KEY });
      return { ops, queued: gone.filter((e) => !e.sentAt).length };
    },
    /** Delete queued reports whose purposes are no longer all granted (a change in another tab). */
    async sweep() {
      await o.store().write(deletes('outbox', relyingOn(await outbox(), (p) => !o.isGranted(p))));
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
