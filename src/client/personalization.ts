// The personalization runtime: decide() with frequency caps, the local holdout id and exposure
// (intent-to-treat) recording. Pure work is in src/personalization.
//
// What is stored, and when (the rule; the purge is in personalization-addon.ts):
// - the caps entry `slot|segment` while the purposes its segment relies on are granted (its
//   effective purposes, which the decision needed; `personalization` for a context-only segment);
// - the local id once it buckets a variant whose segment's purposes (the same) are granted;
// - a withdrawal of `personalization` or of any purpose a segment relies on deletes both, whole,
//   before it resolves (the purge is planned synchronously, without reading what is stored), and
//   drops what this tab holds; another tab's such withdrawal is seen at the next decide().
// Otherwise the state lives in memory for this page. A decision counts its exposure in memory
// before anything is awaited, so concurrent decisions respect the cap.
import {
  EXPOSURE_EVENT, armToRecord, createLocalId, decideVariant, experimentPurposes, holdoutBucket, keptArm, parseDuration, pruneExposures, validateDecideRequest,
} from '../personalization';
import type { Catalog } from '../segments';
import type { Store, WriteOp } from '../storage';
import type { Decision, Explanation, Scalar, TrackResult } from '../types';
import { CAPS_KEY, LOCAL_ID_KEY } from './personalization-keys';


export interface PersonalizationRuntimeOptions {
  catalog: Catalog;
  store: () => Store;
  now: () => number;
  isGranted(purpose: string): boolean;
  /** Evaluation as of now (segments runtime). */
  evaluator(): (id: string) => Explanation;
  /** Stored signals (the kept arm of an experiment is read from its exposure signal). */
  signals(): Parameters<typeof keptArm>[0];
  track(event: string, props: Record<string, Scalar>): Promise<TrackResult>;
  onError(e: unknown): void;
}

export function createPersonalizationRuntime(o: PersonalizationRuntimeOptions) {
  const exposures = new Map<string, number[]>();
  let localId: string | undefined;
  let savedLocalId: string | undefined; // the id persisted in the store, if any
  // Whether what a decision on `segment` holds may be stored (the rule above); an unknown segment's, never.
  const storable = (segment?: string) => {
    const s = segment ? o.catalog.get(segment) : undefined;
    return !!s && (s.effectivePurposes.length ? s.effectivePurposes : ['personalization']).every(o.isGranted);
  };
  // The purposes whose withdrawal purges (personalization-addon.ts), and those granted when this tab last looked.
  const purging = ['personalization', ...o.catalog.segments.flatMap((s) => s.effectivePurposes)];
  let granted: string[] = [];
  const forget = () => {
    exposures.clear();
    localId = savedLocalId = undefined;
  };
  // One withdrawn since (here: already forgotten; in another tab: the store was purged there): drop what this tab holds.
  const look = () => {
    if (granted.some((p) => !o.isGranted(p))) forget();
    granted = purging.filter(o.isGranted);
  };

  const memberEnv = () => {
    const explain = o.evaluator();
    return (id: string) => {
      const seg = o.catalog.get(id);
      return {
        known: !!seg,
        member: !!seg && explain(id).member,
        sensitive: !!seg?.sensitive,
        granted: !!seg && seg.effectivePurposes.every(o.isGranted),
      };
    };
  };

  return {
    /** Restore caps and the local id (present only if persisted under consent); a failed read is reported, never fatal. */
    async restore() {
      const read = (key: string) => o.store().get('meta', key).catch((e) => void o.onError(e));
      const [caps, id] = await Promise.all([read(CAPS_KEY), read(LOCAL_ID_KEY)]);
      for (const [k, v] of Object.entries((caps ?? {}) as Record<string, number[]>)) exposures.set(k, v);
      localId ??= savedLocalId = id as string | undefined;
      granted = purging.filter(o.isGranted);
    },

    async decide(request: unknown): Promise<Decision> {
      const req = validateDecideRequest(request);
      const now = o.now();
      look();
      // An experiment reads this slot when a segment reads its exposure event; nobody is
      // randomized into an arm before that experiment's purposes are granted.
      const exp = experimentPurposes(o.catalog, req.slot);
      const randomize = !exp || exp.every(o.isGranted);
      let bucketed = false;
      const d = decideVariant(req, {
        member: memberEnv(),
        // The local id is made only when a bucket is needed: an eligible visitor and a holdout.
        holdoutBucket: () => ((bucketed = true), holdoutBucket((localId ??= createLocalId((b) => crypto.getRandomValues(b))), req.slot)),
        randomize,
        exposures: (slot, segment) => exposures.get(`${slot}|${segment}`) ?? [],
        now,
      });
      // Counted, and its writes planned, before anything is awaited: a concurrent decision sees this exposure.
      const ops: WriteOp[] = [];
      if (d.reason === 'segment' && req.cap) {
        const key = `${req.slot}|${d.segment}`;
        exposures.set(key, [...pruneExposures(exposures.get(key) ?? [], now, parseDuration(req.cap.per)!), now]);
        if (storable(d.segment)) {
          const value = Object.fromEntries([...exposures].filter(([k]) => storable(k.slice(k.lastIndexOf('|') + 1))));
          ops.push({ type: 'put', store: 'meta', key: CAPS_KEY, value });
        }
      }
      const id = localId;
      const putId = bucketed && id !== savedLocalId && storable(d.segment);
      if (putId) (savedLocalId = id), ops.push({ type: 'put', store: 'meta', key: LOCAL_ID_KEY, value: id });
      // Intent to treat: the arm of the first eligible decision, kept in the exposure signal and
      // re-recorded by every later decision of the slot, whatever it returns.
      const arm = exp && randomize ? armToRecord(keptArm(o.signals(), req.slot, now), d.reason, req.holdout) : undefined;
      // The decision stands whatever storage does: a refused write is an `error` event, and the
      // state it would have saved stays in memory for this page (the host page still personalizes).
      const save = (p: Promise<unknown>) => p.then(() => true, (e) => (o.onError(e), false));
      if (ops.length && !(await save(o.store().write(ops))) && putId && savedLocalId === id) savedLocalId = undefined; // a later decision retries
      if (arm) await save(o.track(EXPOSURE_EVENT, { slot: req.slot, arm }));
      return d;
    },

    /** What this tab holds: caps (`slot|segment` → exposure times) and the local id, copied. */
    exportData() {
      look();
      return { caps: Object.fromEntries([...exposures].map(([k, v]) => [k, [...v]])), localId };
    },

    forget,
  };
}

export type PersonalizationRuntime = ReturnType<typeof createPersonalizationRuntime>;
