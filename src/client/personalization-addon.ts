// The seam between the client and personalization (personalization.ts: decide(), caps, the
// holdout id, exposures), which lives in an add-on (a chunk of the ESM build,
// dist/cohortkit-personalize.js for the script tag) loaded on the first decide(): a page that never
// personalizes never fetches it. What the core must do whatever was loaded stays here: a
// withdrawal of `personalization` or of a purpose some segment relies on, and forget(), delete the
// caps and the holdout id (the rule is in personalization.ts); exportData() reads them.
import type { WriteOp } from '../storage';
import type { Decision } from '../types';
import { loadError, ownError } from './addon-error';
import { loadPersonalize } from './load-personalize';
import type { PersonalizationRuntime, PersonalizationRuntimeOptions } from './personalization';
import { CAPS_KEY, LOCAL_ID_KEY } from './personalization-keys';

export function createLazyPersonalization(o: PersonalizationRuntimeOptions) {
  let ready: Promise<PersonalizationRuntime> | undefined;
  let rt: PersonalizationRuntime | undefined;
  // Bumped by every purge: state restored while one ran is dropped.
  let purges = 0;
  const env = { ...o, onError: (e: unknown) => o.onError(ownError(e)) };
  const load = () =>
    (ready ??= loadPersonalize()
      .then(
        async (m) => {
          const at = purges;
          const r = m.createPersonalizationRuntime(env);
          await r.restore(); // caps and the holdout id, read once (a failed read is reported)
          if (at != purges) r.forget();
          return (rt = r);
        },
        (e) => Promise.reject(loadError(e, 'decide: personalization')),
      )
      .catch((e) => {
        ready = undefined; // a later decide() tries again
        throw e;
      }));
  const forget = () => (purges++, rt?.forget());
  const keys = [CAPS_KEY, LOCAL_ID_KEY];
  return {
    async decide(request: unknown): Promise<Decision> {
      try {
        return await (await load()).decide(request);
      } catch (e) {
        throw ownError(e);
      }
    },
    /** A withdrawal of `personalization` or of a purpose a segment relies on: caps and the holdout id are deleted with the rest. */
    planPurge(purpose: string): WriteOp[] {
      if (purpose != 'personalization' && !o.catalog.segments.some((s) => s.effectivePurposes.includes(purpose))) return [];
      forget();
      return keys.map((key) => ({ type: 'delete', store: 'meta', key }));
    },
    /** The caps and the holdout id: those stored, and what this tab holds (the add-on is not loaded for it). */
    async exportData() {
      const [caps, id] = await Promise.all(keys.map((k) => o.store().get('meta', k)));
      const m = rt?.exportData();
      return { caps: { ...(caps as object), ...m?.caps } as Record<string, number[]>, localId: (m?.localId ?? id) as string | undefined };
    },
    forget,
  };
}
