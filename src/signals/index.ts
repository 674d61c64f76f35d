export type { SignalRollup, VisitorContext } from './types';
export { validateTrack, NAME_PATTERN, MAX_PROPS, MAX_STRING_LENGTH } from './validate';
export { readContext, contextFromWindow, classifyDevice, classifyReferrer, classifyChannel } from './context';
export type { ContextEnv } from './context';
export { minimize, propsKey } from './minimize';
export { dayOf, addToRollup, expireRollups, countSince, MAX_TIMES } from './rollup';
export {
  createIngestGuard,
  rateWindowStart,
  DUPLICATE_WINDOW_MS,
  RATE_LIMIT,
  RATE_WINDOW_MS,
  GUARD_MAX_EVENTS,
} from './guard';
export type { IngestGuard } from './guard';
