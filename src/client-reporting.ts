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
import type { OutboxEntry, Store, WriteOp } from './storage';
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

  const reportable = (s: CompiledSpace) => s.purposes.every(o.isGranted);

  /** Queue this epoch's reports for every space that may report and has not yet. */
  const enqueue = () =>
    o.exclusive(async () => {
      if (!config || !spaces.length || !o.isGranted('measurement')) return;
      const now = o.now();
      const epoch = epochOf(now, config.epoch);
      const epochs = ((await o.store().get('meta', EPOCHS_KEY)) ?? {}) as Record<string, EpochRecord>;
      const rec = epochs[epoch] ?? { spent: 0, spaces: [], skipped: [], budget: 0 };
      const plan = planEpoch(spaces.filter(reportable), config, rec);
      const next: EpochRecord = {
        spent: plan.spent,
        spaces: [...rec.spaces, ...plan.report],
        skipped: [...new Set([...rec.skipped, ...plan.skipped])],
        budget: plan.budget,
      };
      if (!plan.report.length && next.skipped.length === rec.skipped.length && epochs[epoch]) return;
      const memo = ((await o.store().get('meta', MEMO_KEY)) ?? {}) as Record<string, ReportValue>;
      let outbox = pruneSent(await o.store().getAll('outbox'), now, config.epoch);
      const before = new Set(outbox.map((e) => e.id));
      const isMember = o.members();
      for (const id of plan.report) {
        const space = spaces.find((s) => s.id === id)!;
        const index = assignCohort(space, isMember);
        const key = memoKey(space, index, config.epsilon, config.mechanism);
        const built = buildReport({
          space,
          epoch,
          index,
          epsilon: config.epsilon,
          mechanism: config.mechanism,
          memo: memo[key] ? { key, value: memo[key]! } : undefined,
        });
        memo[key] = built.memo.value;
        const entry: OutboxEntry = { id: built.report.id, report: built.report, purposes: space.purposes, attempts: 0, nextAt: now };
        outbox = admit(outbox, entry).keep;
      }
      const keep = new Set(outbox.map((e) => e.id));
      const ops: WriteOp[] = [
        ...[...before].filter((id) => !keep.has(id)).map((key) => ({ type: 'delete' as const, store: 'outbox' as const, key })),
        ...outbox.filter((e) => !before.has(e.id)).map((value) => ({ type: 'put' as const, store: 'outbox' as const, value })),
        { type: 'put', store: 'meta', key: MEMO_KEY, value: memo },
        // Accounting is kept for 60 epochs (exportData shows it), then dropped.
        { type: 'put', store: 'meta', key: EPOCHS_KEY, value: Object.fromEntries(Object.entries({ ...epochs, [epoch]: next }).filter(([e]) => Number(e) > epoch - 60)) },
      ];
      await o.store().write(ops);
    });

  /** Attempt the due (or, when forced, every) queued report. */
  const send = async (force: boolean): Promise<{ sent: number; queued: number }> => {
    if (!config) return { sent: 0, queued: 0 };
    const now = o.now();
    const all = await o.store().getAll('outbox');
    const ready = o.isGranted('measurement') ? due(all, now, force).filter((e) => e.purposes.every(o.isGranted)) : [];
    let sent = 0;
    if (ready.length) {
      const result = await sendReports(config.endpoint, ready.map((e) => e.report), { timeoutMs: SEND_TIMEOUT_MS });
      const at = o.now();
      const ops: WriteOp[] = [];
      const delivered: LDPReport[] = [];
      // Re-read inside the section: a withdrawal meanwhile must not be undone by our write.
      await o.exclusive(async () => {
        const still = new Set((await o.store().getAll('outbox')).map((e) => e.id));
        ready.forEach((e, i) => {
          if (!still.has(e.id)) return;
          const after = settle(e, i < result.sent ? { ok: true } : result, at);
          if (after) ops.push({ type: 'put', store: 'outbox', value: after });
          else ops.push({ type: 'delete', store: 'outbox', key: e.id });
          if (after?.sentAt) delivered.push(e.report);
        });
        await o.store().write(ops);
      });
      sent = delivered.length;
      delivered.forEach(o.onReport);
    }
    const left = (await o.store().getAll('outbox')).filter((e) => !e.sentAt);
    schedule(left);
    return { sent, queued: left.length };
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
      const all = await o.store().getAll('outbox');
      const epochs = ((await o.store().get('meta', EPOCHS_KEY)) ?? {}) as Record<string, EpochRecord>;
      return {
        reports: { queued: all.filter((e) => !e.sentAt).map((e) => e.report), sent: all.filter((e) => e.sentAt).map((e) => e.report) },
        privacy: {
          epochs: Object.entries(epochs).map(
            ([epoch, r]): PrivacyEpoch => ({ epoch: Number(epoch), spent: r.spent, budget: r.budget, skipped: r.skipped }),
          ),
        },
      };
    },
    /** Deletes that a withdrawal of `purpose` implies (queued and sent copies; memos with measurement). */
    planPurge(purpose: string, all: OutboxEntry[]): { ops: WriteOp[]; queued: number } {
      const ops: WriteOp[] = [];
      let queued = 0;
      for (const e of all)
        if (e.purposes.includes(purpose)) (ops.push({ type: 'delete', store: 'outbox', key: e.id }), e.sentAt || queued++);
      if (purpose === 'measurement') ops.push({ type: 'delete', store: 'meta', key: MEMO_KEY });
      return { ops, queued };
    },
    /** Delete queued reports whose purposes are no longer all granted (a change in another tab). */
    async sweep() {
      const gone = (await o.store().getAll('outbox')).filter((e) => !e.purposes.every(o.isGranted));
      if (gone.length) await o.store().write(gone.map((e) => ({ type: 'delete' as const, store: 'outbox' as const, key: e.id })));
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
