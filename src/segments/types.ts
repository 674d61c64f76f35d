// Types for the segments domain: evaluation input and the compiled catalog.
import type { ContextKind, Explanation, Scalar } from '../types';

/** Most recent timestamps a rollup keeps; older events are assumed to have happened at `first`. */
export const MAX_TIMES = 64;

/** One stored rollup: events of one name with identical (minimized) props, on one UTC day. */
export interface SignalRollup {
  event: string;
  props: Record<string, Scalar>;
  /** Days since epoch, UTC. */
  day: number;
  count: number;
  /** ms since epoch of the first and last event. */
  first: number;
  last: number;
  /** Ascending timestamps of the most recent events (at most MAX_TIMES). If count > times.length,
   * the older (count − times.length) events are assumed to have happened at `first`. */
  times: number[];
}

export interface VisitorContext {
  device: 'mobile' | 'tablet' | 'desktop';
  channel: 'direct' | 'search' | 'social' | 'email' | 'paid' | 'referral';
  /** 0–23, local time. */
  hour: number;
  /** 0–6, 0 = Sunday, local time. */
  weekday: number;
  /** Lowercase full tag, e.g. 'en-us'. */
  language: string;
  referrer: 'none' | 'internal' | 'search' | 'social' | 'external';
}

export interface EvaluationInput {
  rollups: SignalRollup[];
  /** The same rollups by event name (optional): a condition then reads only its event's rollups. */
  byEvent?: Pick<ReadonlyMap<string, SignalRollup[]>, 'get'>;
  context: VisitorContext;
  /** ms since epoch: evaluation happens "as of" this instant; later events are ignored. */
  now: number;
  isGranted: (purpose: string) => boolean;
  /** Declared interest ids (`{ declared }` rules); none when absent. */
  declared?: string[];
}

/** A property predicate after validation. */
export type CompiledPredicate =
  | { eq: Scalar }
  | { in: Scalar[] }
  | { gte?: number; lte?: number };

/** A validated, normalized rule; `path` is the JSON path from the segment root (`rule.all[1]`). */
export type CompiledRule =
  | { kind: 'all' | 'any'; path: string; rules: CompiledRule[] }
  | { kind: 'not'; path: string; rule: CompiledRule }
  | CompiledEventRule
  | { kind: 'context'; path: string; context: ContextKind; in: Scalar[] }
  | { kind: 'segment'; path: string; segment: string }
  | { kind: 'declared'; path: string; interest: string };

export interface CompiledEventRule {
  kind: 'event';
  path: string;
  event: string;
  where: Array<[key: string, predicate: CompiledPredicate]>;
  /** As written; undefined means the default `{ gte: 1 }`. */
  count?: { gte?: number; lte?: number };
  /** Window for count (ms) and its source text. */
  within?: number;
  withinText?: string;
  lastSeen?: { within?: number; olderThan?: number; text: string };
  firstSeen?: { olderThan: number; text: string };
}

export interface CompiledSegment {
  id: string;
  version: number;
  description: string;
  goal?: string;
  /** Purposes as declared on the segment (default ['personalization']). */
  purposes: string[];
  /** Own purposes ∪ purposes of referenced segments, transitively. */
  effectivePurposes: string[];
  /** Effective sensitivity: true if declared sensitive or referencing a sensitive segment. */
  sensitive: boolean;
  minEvidence: number;
  rule: CompiledRule;
  /** Directly referenced segment ids. */
  refs: string[];
  /** Interest ids its own rule reads (`{ declared }`). */
  declared: string[];
  /** Event conditions of this segment's own rule. */
  events: CompiledEventRule[];
  /** Event conditions of this segment and of every segment it references, transitively (lineage). */
  lineage: CompiledEventRule[];
}

export interface Catalog {
  /** Topological order: a segment comes after every segment it references. */
  segments: CompiledSegment[];
  /** Which events, and which of their property keys, any segment reads (minimization at `track`). */
  reads: Map<string, Set<string>>;
  has(id: string): boolean;
  get(id: string): CompiledSegment | undefined;
  /** Segments reading `event` directly, plus those referencing them transitively (topological order). */
  segmentsReadingEvent(event: string): string[];
  /** Effective purposes of each segment reading `event` directly (deduplicated). An event is
   * storable when all purposes of at least one of these lists are granted. */
  purposesForEvent(event: string): string[][];
}

export type { Explanation };
