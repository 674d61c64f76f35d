// Planning and queueing of private reports: once per epoch and space that may report, assign
// the cohort, draw its randomized report (memoized, within the epoch and lifetime budgets) and
// queue it in the outbox, with the accounting, in one write. The runtime (reporting.ts) keeps the
// state (outbox, waiting writes, drafts) and passes in what this needs; sending stays there.
import { admit, allowsFresh, assignCohort, buildReport, epochOf, memoKey, planEpoch, pruneSent, readLifetime, reusesMemo, type CompiledSpace } from '../reporting';
import { deletes } from '../storage/ops';
import type { PendingWrites } from '../storage/pending';
import type { OutboxEntry } from '../storage/schema';
import type { WriteOp } from '../storage/store';
import { consentIndex } from '../metrics/consent-space';
import type { ReportValue } from '../types';
import { EPOCHS_KEY, LIFETIME_KEY, MEMO_KEY, type EpochRecord } from './reporting-keys';
import type { ReportingRuntimeOptions } from './reporting';

/** Queue this epoch's reports for every space that may report and has not yet. */
export function createEnqueue(
  o: ReportingRuntimeOptions,
  // The reporting runtime's spaces (the declared ones, then the built-in consent space `cs` when
  // report.consentRates is on), its state and its functions: it stays their one owner.
  // (Arguments rather than an object of them: fewer bytes in the bundle.)
  all: CompiledSpace[],
  cs: CompiledSpace | undefined,
  mayReport: (s: { purposes: string[] }) => boolean,
  drafts: Map<string, OutboxEntry>,
  pending: PendingWrites,
  write: (ops: WriteOp[], drawn?: OutboxEntry[]) => Promise<void>,
  readMeta: <T>(key: string) => Promise<Record<string, T>>,
  outbox: (strict?: boolean) => Promise<OutboxEntry[]>,
) {
  const { config } = o;
  return (withConsent: boolean) =>
    o.exclusive(async () => {
      drafts.clear();
      if (pending.size) await write([]);
      const may = (s: CompiledSpace) => mayReport(s) && (s !== cs || withConsent);
      if (!config || !all.length || !(o.isGranted('measurement') || (cs && may(cs)))) return;
      const { epsilon, mechanism, lifetimeBudget: cap } = config;
      const now = o.now();
      const epoch = epochOf(now, config.epoch);
      const epochs = await readMeta<EpochRecord>(EPOCHS_KEY);
      const rec = epochs[epoch];
      const memo = await readMeta<ReportValue>(MEMO_KEY);
      // Read inside the exclusive section: two tabs never both spend past the cap.
      const life = readLifetime(await o.store().get('meta', LIFETIME_KEY), cap);
      const isMember = o.members();
      const indexOf = (s: CompiledSpace) => (s === cs ? consentIndex(o.purposes, o.consentState()) : assignCohort(s, isMember));
      const memoOf = (s: CompiledSpace, index: number) => {
        const key = memoKey(s, index, epsilon, mechanism);
        return memo[key] && { key, value: memo[key] };
      };
      // A space whose cohort has no usable memo needs a fresh draw; past the cap it is skipped.
      // A space whose mechanism fails (it throws) is not capped: its draw below reports the error.
      const capped = (s: CompiledSpace, i = indexOf(s)) => {
        try {
          return !reusesMemo(s, i, epsilon, mechanism, memoOf(s, i)) && !allowsFresh(life, s.id, epsilon, cap);
        } catch {}
      };
      const open = all.filter(may).filter((s) => !(rec?.spaces ?? []).includes(s.id) && !capped(s));
      // The default budget counts every configured space (the consent space included: it reports
      // once per epoch like any space), whichever may report at this pass. The budget stored with
      // the epoch is never read (a stored record): one stored too small by an older version heals here.
      const plan = planEpoch(open, config, rec ?? { spent: 0, spaces: [] }, all.length);
      const lifetimeSkipped = all.filter((s) => may(s) && !(rec?.spaces ?? []).includes(s.id) && !open.includes(s)).map((s) => s.id);
      const skipped = [...new Set([...(rec?.skipped ?? []), ...plan.skipped, ...lifetimeSkipped])].filter((id) => !plan.report.includes(id));
      if (!plan.report.length && rec && skipped.length === rec.skipped.length && rec.budget === plan.budget) return;
      // Copies of sent reports are kept until their epoch ends (for exportData), then deleted.
      const old = await outbox();
      let queue = pruneSent(old, now, config.epoch);
      let { spent } = plan;
      // A draw that fails is reported and neither spends nor counts as reported (the next pass
      // tries again); the other spaces go on.
      const done = plan.report.filter((id) => {
        const space = all.find((s) => s.id === id)!;
        try {
          const index = indexOf(space);
          const { report, memo: m, fresh } = buildReport({ space, epoch, index, epsilon, mechanism, memo: memoOf(space, index) });
          memo[m.key] = m.value;
          if (fresh) life[id] = (life[id] ?? 0) + epsilon;
          queue = admit(queue, { id: report.id, report, purposes: space.purposes, attempts: 0, nextAt: now }).keep;
          return 1;
        } catch (e) {
          o.onError(e);
          spent -= epsilon;
        }
      });
      epochs[epoch] = { spent, spaces: [...(rec?.spaces ?? []), ...done], skipped, budget: plan.budget };
      // Accounting is kept for 60 epochs (exportData shows it), then dropped.
      for (const e in epochs) if (!(+e > epoch - 60)) delete epochs[e];
      const added = queue.filter((e) => !old.includes(e));
      await write(
        [
          ...deletes('outbox', old.filter((e) => !queue.includes(e))),
          ...added.map((value): WriteOp => ({ type: 'put', store: 'outbox', value })),
          { type: 'put', store: 'meta', key: MEMO_KEY, value: memo },
          { type: 'put', store: 'meta', key: EPOCHS_KEY, value: epochs },
          // Same batch as the draws: a refused write neither loses nor double-counts spending.
          { type: 'put', store: 'meta', key: LIFETIME_KEY, value: life },
        ],
        added,
      );
    });
}
