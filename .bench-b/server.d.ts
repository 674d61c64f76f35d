import { L as LDPReport, c as CohortSpace } from './chunks/types-R6Jy8j5G.js';
import { MechanismName } from './index.js';
import { IncomingMessage, ServerResponse } from 'node:http';
export { A as ArmRate, f as AuditGroup, a as AuditOptions, g as AuditResult, E as ExperimentOptions, b as ExperimentPlan, L as Lift, h as LiftInput, P as PlanOptions, c as consentSpace, d as defineAudit, e as defineExperiment, p as planExperiment, i as readAudit, r as readLift } from './chunks/consent-space-CfDDP48x.js';

/**
 * Sufficient statistics of one group of reports: everything the estimator needs, and it sums
 * across collectors. Keyed by (space, spaceVersion, epoch, mechanism, k, epsilon, g).
 */
interface StatsRow {
    space: string;
    spaceVersion: number;
    epoch: number;
    mechanism: MechanismName;
    k: number;
    epsilon: number;
    /** OLH hash range; 0 for GRR and OUE. */
    g: number;
    /** Number of reports. */
    n: number;
    /** support[i]: how many of the reports support cohort i (length k). */
    support: number[];
}
/** The key fields of a row. */
type StatsKey = Omit<StatsRow, 'n' | 'support'>;
interface CohortEstimate {
    id: string;
    /** Unbiased estimate of how many reporters are in the cohort (may be negative). */
    estimate: number;
    stderr: number;
    ci95: [number, number];
    /** `minCount` given and ci95[0] < minCount. */
    suppressed: boolean;
}
interface EstimateResult {
    space: string;
    epoch?: number;
    n: number;
    cohorts: CohortEstimate[];
}
interface EstimateOptions {
    minCount?: number;
    /** Default: the most recent epoch that has reports. */
    epoch?: number;
}
/** The row key as a string: `space|spaceVersion|epoch|mechanism|k|epsilon|g`. */
declare const rowKey: (r: StatsKey) => string;
/** Adds one validated report to `rows` (keyed by {@link rowKey}) and returns its row. */
declare function addToRows(rows: Map<string, StatsRow>, report: LDPReport): StatsRow;
/** Adds the counts of `row` into `rows` (same key: counts summed). Does not keep a reference to `row`. */
declare function mergeRow(rows: Map<string, StatsRow>, row: StatsRow): StatsRow;
/**
 * Estimates cohort sizes of `space` from sufficient statistics. Rows of other spaces, versions,
 * k or epochs are ignored; rows with the same key are summed first. Per group (mechanism, ε, g):
 * est_i = (support_i − n·q)/(p − q), variance = n·q(1−q)/(p−q)² + max(0, est_i)·(1−p−q)/(p−q);
 * group estimates and variances are summed. Cohorts come in order, the fallback last.
 */
declare function estimateFromRows(rows: Iterable<StatsRow>, space: CohortSpace, opts?: EstimateOptions): EstimateResult;

interface EstimatorOptions {
    spaces: CohortSpace[];
    /** Cohorts whose 95% interval does not clear this count are marked `suppressed`. */
    minCount?: number;
    /**
     * How many report ids to remember for deduplication (default 1,000,000; FIFO: the oldest id is
     * forgotten first, so a replay older than the window is counted again). 0 disables dedupe.
     */
    dedupeWindow?: number;
}
/** Plain-JSON state of an estimator: sufficient statistics and the remembered ids. */
interface EstimatorSnapshot {
    v: 1;
    rows: StatsRow[];
    ids: string[];
}
type AddResult = {
    ok: true;
} | {
    ok: false;
    error: string;
};
interface Estimator {
    /** Validates, dedupes (by id) and counts one wire report. Never throws. */
    add(report: unknown): AddResult;
    /** Estimates for a space; without `epoch`, the most recent epoch with reports. */
    estimate(space: string, epoch?: number): EstimateResult;
    /** Plain JSON: `{ v: 1, rows, ids }` (copies). */
    snapshot(): EstimatorSnapshot;
    /**
     * Adds a snapshot's rows and ids. Equals feeding this estimator the other's reports, provided
     * the two saw disjoint reports (rows are aggregates: a report counted by both stays counted
     * twice). Throws `invalid-argument` for a malformed snapshot, before changing anything.
     */
    merge(snapshot: unknown): void;
}
/**
 * Creates a pure, mergeable estimator for LDP cohort reports (any JS runtime). Throws
 * `invalid-options` for bad options, naming the path.
 */
declare function createEstimator(opts: EstimatorOptions): Estimator;

/** Outcome of checking one wire report: a clean copy, or an error naming the field. */
type ReportCheck = {
    ok: true;
    report: LDPReport;
} | {
    ok: false;
    error: string;
};
/** Which ε a checker accepts: `epsilons` exactly (when given), and at most `maxEpsilon`. */
interface EpsilonPolicy {
    epsilons?: number[];
    maxEpsilon?: number;
    /**
     * The OLH hash range a report must use for its ε (the collector pins cohortkit's own, so a
     * sender cannot pick a huge g: one report's influence grows with g).
     */
    olhRange?: (epsilon: number) => number;
}
/**
 * Returns a strict checker of wire reports for these spaces (several versions of one id may be
 * given). It never throws; it returns a clean copy of exactly the values it checked, or
 * `{ ok: false, error }` with the field named (`"value: expected an integer in [0, 5)"`). Any
 * missing or extra field is an error; an ε outside `policy` is `epsilon: not accepted`.
 */
declare function createReportValidator(spaces: CohortSpace[], policy?: EpsilonPolicy): (input: unknown) => ReportCheck;

/** What one {@link CollectorStore.addBatch} did with the reports it was given. */
interface BatchResult {
    /** Ids already stored (by this or another collector): nothing was counted for them. */
    duplicateIds: string[];
    /** Ids of reports whose epoch is older than the dedupe window: refused, not counted. */
    staleIds: string[];
    /** Ids of reports dated after tomorrow (by the store's clock): refused, not counted. */
    futureIds: string[];
    /** Ids of reports that would open a group past `maxGroups` for their (space, version, epoch). */
    groupLimitIds: string[];
}
/**
 * Where a collector keeps sufficient statistics (never raw reports) and the report ids it
 * dedupes with. Implementations: memory, PGlite, PostgreSQL.
 */
interface CollectorStore {
    readonly kind: string;
    /** Opens the store and applies migrations. Idempotent. */
    init(): Promise<void>;
    /**
     * Adds validated reports with distinct ids, in ONE transaction: the ids are inserted (those
     * already present are duplicates), then the rows of the new reports are summed in. A failure
     * persists nothing. `today` (UTC day number; default: the store's clock) places the epoch
     * window: reports outside `[today − dedupeDays, today + 1]` are refused, and ids older than
     * that are forgotten. No report moves the window.
     */
    addBatch(reports: LDPReport[], today?: number): Promise<BatchResult>;
    /** Rows of a space (one epoch, or all). */
    rows(space: string, epoch?: number): Promise<StatsRow[]>;
    /** Epochs with rows for a space (one version, or all), ascending. */
    epochs(space: string, version?: number): Promise<number[]>;
    close(): Promise<void>;
}
/** Window and group options shared by every store. */
interface DedupeOptions {
    /**
     * Ids are remembered while their epoch is at most this many days before today (by the
     * clock, never by the reports); reports older than that are refused as stale. Default 8.
     */
    dedupeDays?: number;
    /** Distinct (mechanism, k, ε, g) groups per (space, version, epoch); default 8. */
    maxGroups?: number;
    /**
     * Reports whose group is always admitted, beyond `maxGroups` (the collector passes the groups
     * its `epsilons` make honest clients use), so no flood of other groups can crowd them out.
     */
    reservedGroup?: (report: LDPReport) => boolean;
    /** The clock (ms) when `addBatch` is not given `today`; default Date.now. */
    now?: () => number;
}
/**
 * Which store a collector opens: PGlite under `dataDir` (in a worker thread where the machine has
 * more than one CPU; `thread` overrides), or PostgreSQL at `databaseUrl`.
 */
type StoreOption = ({
    dataDir: string;
    thread?: boolean;
} & DedupeOptions) | ({
    databaseUrl: string;
    schema?: string;
    max?: number;
} & DedupeOptions) | CollectorStore;
/**
 * Opens the store named by `opt` (PGlite and pg are imported only when used). Returns a custom
 * {@link CollectorStore} as is.
 */
declare function openStore(opt: StoreOption): Promise<CollectorStore>;

interface CollectorOptions {
    /** The spaces reports are accepted for; several versions of one id may be given side by side. */
    spaces: CohortSpace[];
    /** Also fed every accepted report; without `store`, estimates are read from it. */
    estimator?: Estimator;
    minCount?: number;
    /** Exact origins allowed (CORS); absent: any origin (`*`, no credentials ever). */
    allowOrigins?: string[];
    /** Absent: memory only. `{ dataDir }`: PGlite. `{ databaseUrl }`: PostgreSQL. Or a custom store. */
    store?: StoreOption;
    /** Epochs accepted: `[today − dedupeDays, today + 1]` by the collector's clock; default 8. */
    dedupeDays?: number;
    /** Per connection: `{ requests, perMs }` token bucket (default 200 per 1,000 ms), or `false`. */
    rateLimit?: {
        requests: number;
        perMs: number;
    } | false;
    /** One line per batch (no IP, no user agent, no report content). */
    log?: (line: string) => void;
    /** The collector's clock (ms): the epoch window, the rate limiters, log lines. Default Date.now. */
    now?: () => number;
    /** Accepted ε values; default: any finite ε in (0, 20]. */
    epsilons?: number[];
    /** Distinct (mechanism, ε, g) groups per space, version and epoch; default 8. */
    maxGroups?: number;
    /** GET /v1/estimates and /v1/spaces need `Authorization: Bearer <readToken>`. */
    readToken?: string;
    /** Reports per sliding minute from one client address (memory only); default 600, or `false`. */
    perAddressLimit?: number | false;
    /** The client address is the last entry of X-Forwarded-For (behind your proxy); default false. */
    trustProxy?: boolean;
    /**
     * What GET /v1/estimates publishes of a suppressed cohort (ci95 below `minCount`):
     * `'unsuppressed'` (default) sends `estimate`, `stderr` and `ci95` as null; `'all'` the raw numbers.
     */
    publish?: 'unsuppressed' | 'all';
}

type CollectorHandler = ((req: IncomingMessage, res: ServerResponse) => void) & {
    /** Stops taking requests (503), waits for in-flight batches to be persisted, closes the store. */
    close(): Promise<void>;
};
/**
 * Creates the reference collector: a `node:http` request handler, returned synchronously (the
 * store opens on the first request). Throws `invalid-options` for bad options.
 */
declare function createCollector(opts: CollectorOptions): CollectorHandler;

interface MemoryStoreOptions extends DedupeOptions {
    /** At most this many ids are remembered (default 1,000,000); past it the oldest is forgotten. */
    maxIds?: number;
}
/**
 * An in-memory {@link CollectorStore}: lost on exit. Ids are remembered within the epoch window
 * and up to `maxIds` (oldest forgotten first, so a replay older than that counts again).
 */
declare function createMemoryStore(opts?: MemoryStoreOptions): CollectorStore;

/** The smallest SQL surface the stores need (PGlite and pg both fit). */
interface SqlClient {
    query(sql: string, params?: unknown[]): Promise<{
        rows: any[];
    }>;
    /**
     * Optional: runs statements without parameters (the simple query protocol), one result per
     * statement. The store only passes what {@link inline} wrote from values it checked: a batch's
     * one script (PGlite, PostgreSQL), and in PGlite the transaction's statements too (there the
     * round trip is cheap but each statement's parse/bind is not).
     */
    exec?(script: string): Promise<{
        rows: any[];
    }[]>;
}
interface SqlDriver extends SqlClient {
    /** Runs `fn` in one transaction: COMMIT when it resolves, ROLLBACK when it throws. */
    transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
    close(): Promise<void>;
    /**
     * Batches of up to this many reports that open no group take the one-statement path
     * ({@link INGEST_SQL}: one round trip, its own transaction). Default 0: never. Worth it where a
     * round trip costs more than planning the statement (PostgreSQL over a socket: 32); not in
     * PGlite (in-process, where the four simple statements cost less CPU than the one).
     */
    oneStatementMax?: number;
}
/** Versioned migrations; each entry runs once, in order, recorded in `cohortkit_migrations`. */
declare const MIGRATIONS: string[][];
/**
 * Adds a delta row: n and every support count summed element-wise (plain SQL: PostgreSQL ≥ 9.4,
 * PGlite, Citus). Rows from many collectors simply add up.
 */
declare const UPSERT_STATS_SQL = "insert into cohortkit_stats as s\n  (space, space_version, epoch, mechanism, k, epsilon, g, n, support)\nvalues ($1, $2, $3, $4, $5, $6, $7, $8, $9::bigint[])\non conflict (space, space_version, epoch, mechanism, k, epsilon, g) do update set\n  n = s.n + excluded.n,\n  support = array(select a + b from unnest(s.support, excluded.support) with ordinality as t(a, b, i) order by i)";
/** Remembers ids; returns only those that were new (the others are duplicates). */
declare const INSERT_IDS_SQL = "insert into cohortkit_ids (id, epoch)\nselect * from unnest($1::text[], $2::int[]) on conflict (id) do nothing returning id";
/** Reads counts back (numbers, not strings): `$2` null for every epoch. */
declare const SELECT_ROWS_SQL = "select space, space_version, epoch, mechanism, k, epsilon, g::float8 as g,\n  n::float8 as n, support::float8[] as support\nfrom cohortkit_stats where space = $1 and ($2::int is null or epoch = $2::int)\norder by epoch, mechanism, epsilon, g";
/** Applies pending {@link MIGRATIONS} under an advisory lock (concurrent collectors wait). */
declare function migrate(db: SqlDriver): Promise<void>;
/** A {@link CollectorStore} over any {@link SqlDriver}; `open` connects (lazily, once). */
declare function createSqlStore(kind: string, open: () => Promise<SqlDriver>, opts?: DedupeOptions): CollectorStore;

/**
 * The embedded default store: PGlite (WASM PostgreSQL) under `dataDir`, created on first open.
 * One process at a time may open a data directory. Where the machine has more than one CPU,
 * PGlite runs in a worker thread (./pglite-worker.mjs): its work then overlaps the HTTP work on
 * another core, and a slow statement never stalls the thread that answers requests. On one CPU
 * there is nothing to overlap and the thread's message round trips only cost: it runs in this
 * thread. `thread` overrides the choice.
 */
declare function createPGliteStore(opts: {
    dataDir: string;
    thread?: boolean;
} & DedupeOptions): CollectorStore;

interface PostgresStoreOptions extends DedupeOptions {
    /** postgres://user:password@host:port/database */
    databaseUrl: string;
    /** Schema for the tables (created if missing); default: the role's search_path. */
    schema?: string;
    /** Pool size (default 10). */
    max?: number;
}
/** A store on PostgreSQL (or a compatible engine: Citus, …) through `pg`; same SQL as PGlite. */
declare function createPostgresStore(opts: PostgresStoreOptions): CollectorStore;

interface StartCollectorOptions extends CollectorOptions {
    /** Default 0 (any free port). */
    port?: number;
    /** Default 127.0.0.1. */
    host?: string;
    /** Serves files of `dir` under `prefix` (e.g. '/demo/'), GET/HEAD only, never outside `dir`. */
    static?: {
        dir: string;
        prefix: string;
    };
}
interface RunningCollector {
    url: string;
    collector: CollectorHandler;
    /** Stops listening, persists in-flight reports, closes the store. */
    close(): Promise<void>;
}
/**
 * Starts a `node:http` server with the collector (and optional static files) and resolves when it
 * listens. Closing stops listening, drains in-flight batches and closes the store.
 */
declare function startCollectorServer(opts: StartCollectorOptions): Promise<RunningCollector>;
interface CliOptions {
    port: number;
    host: string;
    dataDir?: string;
    databaseUrl?: string;
    memory: boolean;
    allowOrigins: string[];
    config?: string;
    /** `--read-token`, else COHORTKIT_READ_TOKEN (checked; wins over the config file's `readToken`). */
    readToken?: string;
    /** `--trust-proxy`: the client address is the last X-Forwarded-For entry. */
    trustProxy?: boolean;
    help: boolean;
}
/**
 * Parses `cohortkit-collector` arguments (env: COHORTKIT_DATA_DIR, DATABASE_URL). A flag wins over
 * the environment: `--data-dir` ignores DATABASE_URL and `--database-url` ignores COHORTKIT_DATA_DIR;
 * both flags at once is an error. Throws `invalid-options`.
 */
declare function parseCollectorArgs(argv: string[], env?: Record<string, string | undefined>): CliOptions;
/** Runs the collector command: starts the server and closes it gracefully on SIGTERM/SIGINT. */
declare function runCli(argv: string[], env?: Record<string, string | undefined>): Promise<RunningCollector | undefined>;

/** One share: `rate` with its 95% interval (and stderr). */
interface ConsentShare {
    rate: number;
    ci95: [number, number];
    stderr: number;
}
type ConsentRates = Record<string, {
    granted: ConsentShare;
    denied: ConsentShare;
    unset: ConsentShare;
}>;
/**
 * Per purpose, the share of reporters whose state is granted, denied or unset, each with a 95%
 * interval: the sum of the cohorts holding that state over the sum of all cohorts, its variance
 * by the delta method over the cohort covariance (LDP noise and the sampling of reporters).
 * With no estimated reporters every rate is NaN and ci95 [0, 1].
 * @param estimate `estimator.estimate('consent')` or a GET /v1/estimates body with nothing withheld
 * @param purposes the purposes of `consentSpace(purposes)`, in the same order
 * @throws CohortkitError `invalid-argument` naming the path
 */
declare function readConsentRates(estimate: unknown, purposes: string[]): ConsentRates;

export { CohortSpace, INSERT_IDS_SQL, LDPReport, MIGRATIONS, SELECT_ROWS_SQL, UPSERT_STATS_SQL, addToRows, createCollector, createEstimator, createMemoryStore, createPGliteStore, createPostgresStore, createReportValidator, createSqlStore, estimateFromRows, mergeRow, migrate, openStore, parseCollectorArgs, readConsentRates, rowKey, runCli, startCollectorServer };
export type { AddResult, BatchResult, CliOptions, CohortEstimate, CollectorHandler, CollectorOptions, CollectorStore, ConsentRates, ConsentShare, DedupeOptions, EstimateOptions, EstimateResult, Estimator, EstimatorOptions, EstimatorSnapshot, MemoryStoreOptions, PostgresStoreOptions, ReportCheck, RunningCollector, SqlClient, SqlDriver, StartCollectorOptions, StatsKey, StatsRow, StoreOption };
