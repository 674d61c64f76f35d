// Segments: validation, catalog, pure evaluation with explanations.
export { parseDuration } from './duration';
export { compileSegments, ID_PATTERN, NAME_PATTERN } from './validate';
export { createCatalog, type SegmentDraft } from './catalog';
export { evaluateSegment, evaluateAll, indexByEvent, matches, nextChange } from './evaluate';
export { MAX_TIMES } from './types';
export type {
  SignalRollup,
  VisitorContext,
  EvaluationInput,
  Catalog,
  CompiledSegment,
  CompiledRule,
  CompiledEventRule,
  CompiledPredicate,
} from './types';
