// The seam between the client and the visitor's context (src/signals/context.ts: device, channel,
// hour, weekday, language, referrer), which lives in an add-on (a chunk of the ESM build,
// dist/cohortkit-context.js for the script tag) loaded only when a segment has a `context` rule,
// while storage opens. Without such a rule the context is never read.
import type { Catalog, CompiledRule, VisitorContext } from '../segments';
import { loadError } from './addon-error';
import { loadContext } from './load-context';

const reads = (r: CompiledRule): boolean => r.kind == 'context' || (r.kind == 'not' ? reads(r.rule) : (r.kind == 'all' || r.kind == 'any') && r.rules.some(reads));
/** What a context rule reads when the add-on could not be loaded: nothing (no value is in any list). */
const unknown = () => ({}) as VisitorContext;

/**
 * Resolves with the context reader the segment runtime calls (at most once per evaluation): the
 * add-on's when a segment reads the context. An add-on that cannot be loaded is reported
 * (`network`) and context rules then read no value.
 */
export function prepareContext(catalog: Catalog, now: () => number, onError: (e: unknown) => void): Promise<() => VisitorContext> {
  return catalog.segments.some((s) => reads(s.rule))
    ? loadContext().then(
        (m) => () => m.contextFromWindow(typeof window == 'undefined' ? undefined : window, now()),
        (e) => (onError(loadError(e, 'context: the visitor-context reader')), unknown),
      )
    : Promise.resolve(unknown);
}
