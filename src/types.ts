// Public types: the contract in API.md. Domains import from here; index.ts re-exports.

export type Scalar = string | number | boolean;
export type ConsentValue = 'granted' | 'denied' | 'unset';
export type ConsentState = Record<string, ConsentValue>;
export type ConsentSource =
  | 'banner'
  | 'preference-center'
  | 'api'
  | 'gpc'
  | 'tcf'
  | 'consent-mode'
  | 'gpp'
  | 'policy-change';

export interface PurposeOption {
  id: string;
  description?: string;
  retentionDays?: number;
}

export type Duration = `${number}${'m' | 'h' | 'd'}`;

export type PropertyPredicate = Scalar | { in: Scalar[] } | { gte?: number; lte?: number };

export interface EventRule {
  event: string;
  where?: Record<string, PropertyPredicate>;
  count?: { gte?: number; lte?: number };
  within?: Duration;
  lastSeen?: { within: Duration } | { olderThan: Duration };
  firstSeen?: { olderThan: Duration };
}
export type ContextKind = 'device' | 'channel' | 'hour' | 'weekday' | 'language' | 'referrer';
export interface ContextRule {
  context: ContextKind;
  in: Scalar[];
}
export type Rule =
  | { all: Rule[] }
  | { any: Rule[] }
  | { not: Rule }
  | EventRule
  | ContextRule
  | { segment: string }
  /** The visitor declared this interest (`ClientOptions.interests`, `client.interests.declare`). */
  | { declared: string };

export interface SegmentDefinition {
  id: string;
  version?: number;
  description: string;
  goal?: 'acquisition' | 'activation' | 'retention' | 'reactivation' | (string & {});
  purposes?: string[];
  sensitive?: boolean;
  minEvidence?: number;
  rule: Rule;
}

export interface CohortSpace {
  id: string;
  version?: number;
  description: string;
  cohorts: Array<{ id: string; segment: string }>;
  fallback: string;
}

export type MechanismName = 'grr' | 'oue' | 'olh' | 'ss';

export interface ReportOptions {
  endpoint: string;
  epsilon?: number;
  epoch?: 'day' | 'week';
  mechanism?: 'auto' | MechanismName;
  budget?: number;
  /**
   * Cap on the ε ever spent per space on fresh draws, persisted (memoized repeats cost nothing).
   * A space whose next fresh draw would pass it is no longer reported. Default none.
   */
  lifetimeBudget?: number;
  /**
   * Report the built-in `consent` space (see consentSpace): `'consented'` once per epoch like any
   * space (needs measurement); `'exempt'` also without measurement (the site claims an audience
   * measurement exemption), never while GPC is on. Default `'off'`.
   */
  consentRates?: 'off' | 'consented' | 'exempt';
}

export interface ClientOptions {
  purposes?: Array<string | PurposeOption>;
  policyVersion?: string;
  segments?: SegmentDefinition[];
  cohorts?: CohortSpace[];
  report?: ReportOptions;
  retentionDays?: number;
  storage?: 'indexeddb' | 'memory';
  namespace?: string;
  respectGPC?: boolean;
  now?: () => number;
  /** Interests the visitor may declare (zero-party data); purposes default to ['personalization']. */
  interests?: Array<{ id: string; label: string; purposes?: string[] }>;
  /**
   * Ask the browser for persistent storage (`navigator.storage.persist()`) once IndexedDB is open,
   * so eviction under storage pressure does not wipe the consent ledger and the LDP memo (it is not
   * documented to lift Safari's 7-day ITP cap: README "Browser support").
   * Default false: Firefox shows the visitor a prompt. Never awaited; see `exportData().persistence`.
   */
  persistStorage?: boolean;
  /**
   * Encrypt what cohortkit keeps in IndexedDB (AES-GCM values, HMAC-opaque keys, non-extractable
   * keys stored with the data and deleted by `forget()`). Default false. Protects copies of the
   * profile on disk, not against scripts of the same origin (README "Encryption at rest").
   */
  encryptAtRest?: boolean;
  interop?: {
    tcf?: { map: Record<string, number[]>; vendorId?: number };
    consentMode?: { mirror?: boolean; read?: boolean };
    /** IAB GPP: cohortkit purpose → GPP fields (`'usnat.SaleOptOut'`); a field equal to 1 (opted out) denies. */
    gpp?: { map: Record<string, string[]> };
  };
}

export interface ConsentRecord {
  seq: number;
  at: number;
  purpose: string;
  granted: boolean;
  source: ConsentSource;
  policyVersion?: string;
  purged?: { signals: number; memberships: number; reports: number };
  prevHash: string;
  hash: string;
}

export interface TrackResult {
  stored: boolean;
  reason: 'stored' | 'no-consent' | 'unreferenced' | 'duplicate' | 'rate-limited';
}

export interface ExplanationCondition {
  path: string;
  passed: boolean;
  observed?: unknown;
  expected?: unknown;
}
export interface Explanation {
  segment: string;
  member: boolean;
  reason: 'match' | 'no-match' | 'no-consent' | 'insufficient-evidence' | 'unknown-segment';
  conditions: ExplanationCondition[];
  signals: Array<{ event: string; count: number; lastSeen?: number }>;
  purposes: string[];
}
export interface Membership {
  id: string;
  version: number;
  since: number;
  explanation: Explanation;
}

/** The mechanism-specific part of a report. */
export type ReportValue = { value: number } | { bits: string } | { seed: number; g: number; value: number } | { items: string };

/** One LDP report exactly as it goes on the wire. */
export type LDPReport = {
  v: 1;
  id: string;
  space: string;
  spaceVersion: number;
  epoch: number;
  k: number;
  mechanism: MechanismName;
  epsilon: number;
} & ReportValue;

export interface DecideRequest {
  slot: string;
  variants: Array<{ segment: string; value: unknown }>;
  fallback: unknown;
  holdout?: number;
  cap?: { max: number; per: Duration };
  allowSensitive?: boolean;
}
export interface Decision {
  value: unknown;
  reason: 'segment' | 'no-consent' | 'no-match' | 'holdout' | 'capped';
  segment?: string;
}

/** `exportData().privacy.lifetime`: ε ever spent on fresh draws (see report.lifetimeBudget). */
export interface PrivacyLifetime {
  /** Total over every space. */
  spent: number;
  bySpace: Record<string, number>;
  /** The cap, or null when none is set. */
  budget: number | null;
  /** Spaces whose next fresh draw would pass the cap. */
  exhausted: string[];
}

export interface PrivacyEpoch {
  epoch: number;
  spent: number;
  budget: number;
  skipped: string[];
}

/**
 * How durable the origin's storage is (`exportData().persistence`): `persisted` (the browser will
 * not evict it under storage pressure; Safari's 7-day ITP cap may still apply), `best-effort` (it
 * may be evicted), `pending` (the `persistStorage` request awaits the visitor's answer, as in
 * Firefox), `unavailable` (no Storage API, e.g. WebKitGTK, or the client runs from memory).
 */
export type StoragePersistence = 'persisted' | 'best-effort' | 'pending' | 'unavailable';

export interface DataExport {
  exportedAt: number;
  consent: { state: ConsentState; history: ConsentRecord[] };
  signals: unknown[];
  /** The declared interests (ids), see `client.interests`. */
  interests: string[];
  segments: Membership[];
  reports: { queued: LDPReport[]; sent: LDPReport[] };
  privacy: { epochs: PrivacyEpoch[]; lifetime: PrivacyLifetime };
  storage?: 'indexeddb' | 'memory';
  /** See `StoragePersistence` and the `persistStorage` option. */
  persistence?: StoragePersistence;
  /** decide()'s state: exposure times per `slot|segment` (frequency caps) and the local holdout id. */
  personalization?: { caps: Record<string, number[]>; localId?: string };
}

/** One segment as documented by the catalog (`client.catalog()`, `describeCatalog()` of `cohortkit/catalog`). */
export interface CatalogEntry {
  id: string;
  version: number;
  description: string;
  goal?: string;
  /** Purposes the membership relies on: its own and those of the segments it references (effective). */
  purposes: string[];
  /** Effective sensitivity: declared, or referencing a sensitive segment. Never reported. */
  sensitive: boolean;
  /** Reads no event (directly or through references): nothing is stored for it, no consent needed. */
  contextOnly: boolean;
  /** The longest time a signal it reads is kept, in days (0 when it stores nothing). */
  retentionDays: number;
  /** What it stores, after minimization: each event it reads (directly or through references) and the
   * property keys kept for that event (by any segment; everything else is dropped at `track`). */
  reads: Array<{ event: string; props: string[] }>;
  /** Segments its rule references directly. */
  references: string[];
  /** Cohort spaces that report it (a cohort of the space names it). */
  spaces: string[];
  /** Context kinds its rule reads (directly or through references); never stored. */
  context: ContextKind[];
  /** Supporting events required before membership. */
  minEvidence: number;
}
/** One cohort space as documented by the catalog. */
export interface CatalogSpace {
  id: string;
  version: number;
  description: string;
  /** cohorts.length + 1 (the fallback). */
  k: number;
  cohorts: Array<{ id: string; segment: string }>;
  fallback: string;
  /** Purposes a report relies on: 'measurement' and the effective purposes of its segments. */
  purposes: string[];
}

export type ClientEvent = 'consent' | 'segments' | 'report' | 'error';

export interface Client {
  consent: {
    get(): ConsentState;
    update(choices: Record<string, boolean>, meta?: { source?: ConsentSource }): Promise<ConsentState>;
    history(): Promise<ConsentRecord[]>;
    verify(): Promise<boolean>;
  };
  track(event: string, props?: Record<string, Scalar>): Promise<TrackResult>;
  segments(): Promise<Membership[]>;
  explain(segmentId: string): Promise<Explanation>;
  decide(request: DecideRequest): Promise<Decision>;
  flush(): Promise<{ sent: number; queued: number }>;
  exportData(): Promise<DataExport>;
  forget(): Promise<void>;
  on(event: ClientEvent, listener: (detail: unknown) => void): () => void;
  close(): Promise<void>;
  /** Declared interests (zero-party data). `declare` replaces the set, all or nothing: it stores
   * nothing (`no-consent`) unless the purposes of every interest in it are granted. */
  interests: {
    get(): string[];
    declare(ids: string[]): Promise<{ stored: boolean; reason: 'stored' | 'no-consent' }>;
    /** The declarable interests (ids and labels), in declaration order, e.g. for a preference center. */
    list(): Array<{ id: string; label: string }>;
  };
  /** The segment catalog (synchronous): every declared segment, what it reads, who reports it. */
  catalog(): CatalogEntry[];
  /** The declared purposes (ids, descriptions, retention), in declaration order, e.g. for a preference center. */
  readonly purposes: PurposeOption[];
  /** Which store backs this client: 'indexeddb', or 'memory' (asked for, or the fallback). */
  readonly storage: 'indexeddb' | 'memory';
}
