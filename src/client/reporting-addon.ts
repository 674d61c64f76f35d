// The seam between the client and private reporting, which lives in an add-on (a chunk of the ESM
// build, dist/cohortkit-reporting.js for the script tag): loaded only when `report` or `cohorts`
// is configured, started before storage opens so the two load in parallel. Without it, an idle
// runtime (below) keeps what the core must do whatever is configured: exportData() shows what is
// stored, a withdrawal or another tab's change purges queued reports, forget() is clean.
import { CohortkitError, isCohortkitError } from '../errors';
import type { CompiledSpace } from '../reporting/validate';
import type { Catalog } from '../segments';
import { deletes, relyingOn, type OutboxEntry, type WriteOp } from '../storage';
import type { ClientOptions, PrivacyEpoch } from '../types';
import { loadError, ownError } from './addon-error';
import { loadReporting } from './load-reporting';
import type { ReportingRuntime, ReportingRuntimeOptions } from './reporting';
import { EPOCHS_KEY, isEntry, purgeOutbox, type EpochRecord } from './reporting-keys';

export type RuntimeEnv = Omit<ReportingRuntimeOptions, 'spaces' | 'config'>;
export interface ReportingSetup {
  /** The validated cohort spaces (none without the add-on). */
  spaces: CompiledSpace[];
  createRuntime(env: RuntimeEnv): ReportingRuntime;
}

/**
 * Starts loading the add-on when `report` or `cohorts` is set and validates them with it.
 * `settle(onInvalid)` resolves with the setup; an invalid option rejects with its
 * `invalid-options` message (after `onInvalid`, which closes what was opened meanwhile). An
 * add-on that cannot be loaded is reported (`network`) and the client runs without reporting.
 */
export function prepareReporting(raw: ClientOptions, catalog: Catalog, onError: (e: unknown) => void) {
  const idle: ReportingSetup = { spaces: [], createRuntime: (env) => createIdleRuntime(env, false) };
  const ready: Promise<ReportingSetup | { invalid: unknown }> =
    raw.report === undefined && raw.cohorts === undefined
      ? Promise.resolve(idle)
      : loadReporting().then(
          (m) => {
            try {
              const spaces = m.validateCohortSpaces(raw.cohorts, catalog);
              const config = raw.report === undefined ? undefined : m.validateReportOptions(raw.report, m.pageBase(), spaces);
              const createRuntime = (env: RuntimeEnv) => {
                try {
                  return m.createReportingRuntime({ ...env, spaces, config, onError: (e) => env.onError(ownError(e)) });
                } catch (e) {
                  throw ownError(e); // e.g. the space id "consent" while report.consentRates is on
                }
              };
              return { spaces, createRuntime };
            } catch (invalid) {
              return { invalid: ownError(invalid) };
            }
          },
          (e) => {
            onError(loadError(e, 'report: private reporting'));
            return { spaces: [], createRuntime: (env: RuntimeEnv) => createIdleRuntime(env, true) };
          },
        );
  return {
    async settle(onInvalid: () => void): Promise<ReportingSetup> {
      const r = await ready;
      if ('invalid' in r) throw (onInvalid(), r.invalid);
      return r;
    },
  };
}

/**
 * Reporting when nothing is configured (or the add-on failed: `failed`, then `flush()` counts the
 * reports that wait for a later page). Never draws or sends; same shapes as the real runtime.
 */
export function createIdleRuntime(o: RuntimeEnv, failed: boolean): ReportingRuntime {
  const rows = async () => (await o.store().getAll('outbox')).filter(isEntry) as OutboxEntry[];
  const fault = (e: unknown) => o.onError(isCohortkitError(e) ? e : new CohortkitError('storage', String(e), e));
  return {
    kick() {},
    flush: async () => ({ sent: 0, queued: failed ? (await rows().catch((e) => (fault(e), []))).filter((e) => !e.sentAt).length : 0 }),
    async exportData() {
      const all = await rows();
      const reports = (sent: boolean) => all.filter((e) => !!e.sentAt == sent).map((e) => e.report);
      const epochs = ((await o.store().get('meta', EPOCHS_KEY)) ?? {}) as Record<string, EpochRecord>;
      return {
        reports: { queued: reports(false), sent: reports(true) },
        privacy: {
          epochs: Object.entries(epochs).map(([epoch, { spent, budget, skipped }]): PrivacyEpoch => ({ epoch: +epoch, spent, budget, skipped })),
          lifetime: { spent: 0, bySpace: {}, budget: null, exhausted: [] },
        },
      };
    },
    planPurge(purpose: string, all: OutboxEntry[]): { ops: WriteOp[]; queued: number } {
      const { ops, queued } = purgeOutbox(purpose, all);
      return { ops, queued };
    },
    async sweep() {
      const gone = relyingOn(await rows(), (p) => !o.isGranted(p));
      if (gone.length) await o.store().write(deletes('outbox', gone)).catch(fault);
    },
    forget() {},
    close() {},
  };
}
