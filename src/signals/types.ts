// Shapes shared with src/segments/types.ts (copied verbatim for now; the lead deduplicates).
import type { Scalar } from '../types';

/** One stored signal aggregate: an event with its minimized props, per UTC day. */
export interface SignalRollup {
  event: string;
  props: Record<string, Scalar>;
  /** Days since 1970-01-01 UTC. */
  day: number;
  count: number;
  first: number;
  last: number;
  /** Ascending, the most recent ≤ 64 timestamps. */
  times: number[];
}

/** What segments may read about the current visit. */
export interface VisitorContext {
  device: 'mobile' | 'tablet' | 'desktop';
  channel: 'direct' | 'search' | 'social' | 'email' | 'paid' | 'referral';
  hour: number;
  weekday: number;
  language: string;
  referrer: 'none' | 'internal' | 'search' | 'social' | 'external';
}
