// The shapes signals produce are the ones segments read: one definition, in src/segments/types.ts.
export type { SignalRollup, VisitorContext } from '../segments/types';
