// The personalization runtime: decide() with frequency caps, the local holdout id and exposure
// (intent-to-treat) recording. Caps and the id are persisted only while `personalization` is
// granted; otherwise they live for this page. Pure work is in src/personalization.
import {
  EXPOSURE_EVENT, armToRecord, createLocalId, decideVariant, experimentPurposes, holdoutBucket, keptArm, parseDuration, pruneExposures, validateDecideRequest,
} from '../personalization';
import type { Catalog } from '../segments';
import type { Store } from '../storage';
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
  const persist = () => o.isGranted('personalization');

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
    },

    async decide(request: unknown): Promise<Decision> {
      const req = validateDecideRequest(request);
      const now = o.now();
      // A stored local id whose consent is gone (withdrawn here or in another tab) is gone too.
      if (savedLocalId && !persist()) localId = savedLocalId = undefined;
      // An experiment reads this slot when a segment reads its exposure event; nobody is
      // randomized into an arm before that experiment's purposes are granted.
      const exp = experimentPurposes(o.catalog, req.slot);
      const randomize = !exp || exp.every(o.isGranted);
      const d = decideVariant(req, {
        member: memberEnv(),
        // The local id is made only when a bucket is needed: an eligible visitor and a holdout.
        holdoutBucket: () => holdoutBucket((localId ??= createLocalId((b) => crypto.getRandomValues(b))), req.slot),
        randomize,
        exposures: (slot, segment) => exposures.get(`${slot}|${segment}`) ?? [],
        now,
      });
      // The decision stands whatever storage does: a refused write is an `error` event, and the
      // state it would have saved stays in memory for this page (the host page still personalizes).
      const save = (p: Promise<unknown>) => p.then(() => true, (e) => (o.onError(e), false));
      if (localId && localId !== savedLocalId && persist()) {
        if (await save(o.store().write([{ type: 'put', store: 'meta', key: LOCAL_ID_KEY, value: localId }]))) savedLocalId = localId;
      }
      // Intent to treat: the arm of the first eligible decision, kept in the exposure signal and
      // re-recorded by every later decision of the slot, whatever it returns.
      if (exp && randomize) {
        const arm = armToRecord(keptArm(o.signals(), req.slot, now), d.reason, req.holdout);
        if (arm) await save(o.track(EXPOSURE_EVENT, { slot: req.slot, arm }));
      }
      if (d.reason === 'segment' && req.cap) {
        const key = `${req.slot}|${d.segment}`;
        const per = parseDuration(req.cap.per)!;
        exposures.set(key, [...pruneExposures(exposures.get(key) ?? [], now, per), now]);
        if (persist()) await save(o.store().write([{ type: 'put', store: 'meta', key: CAPS_KEY, value: Object.fromEntries(exposures) }]));
      }
      return d;
    },

    forget() {
      exposures.clear();
      localId = savedLocalId = undefined;
    },
  };
}

export type PersonalizationRuntime = ReturnType<typeof createPersonalizationRuntime>;
