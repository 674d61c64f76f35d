// The server side, in two layers (public entry: src/server.ts → dist/server.js).
//   estimator/  pure, no node: imports (runs anywhere, e.g. in a worker or a warehouse UDF):
//     validate-report.ts  the wire schema of one report, spaces and their versions
//     stats.ts            sufficient statistics (StatsRow) and the estimates from them
//     estimator.ts        the in-memory estimator (dedupe by id, rows, estimate)
//     publish.ts          which cohorts may be published (small-cohort suppression)
//   collector/  the Node shell around it:
//     collector.ts        the HTTP routes (POST /v1/reports, GET /v1/estimates, /v1/spaces, /healthz)
//     collector-options.ts, guard.ts, http.ts, rejections.ts  options, limits/tokens, body/JSON, rejection counts
//     group-commit.ts     concurrent POSTs sharing one store transaction
//     store.ts            the CollectorStore contract and openStore; store-memory.ts, store-sql.ts (+ store-sql-ingest.ts,
//                         the one-statement hot path; sql-inline.ts, checked literals for PGlite's simple protocol),
//                         store-pglite.ts (+ pglite-worker.mjs, PGlite's thread), store-postgres.ts
//     cli.ts, bin.ts      startCollectorServer, the `cohortkit-collector` command
export {
  createEstimator,
  type Estimator,
  type EstimatorOptions,
  type EstimatorSnapshot,
  type AddResult,
} from './estimator/estimator';
export {
  rowKey,
  addToRows,
  mergeRow,
  estimateFromRows,
  type StatsRow,
  type StatsKey,
  type CohortEstimate,
  type EstimateResult,
  type EstimateOptions,
} from './estimator/stats';
export { createReportValidator, checkSpaces, isReportId, spaceVersion, type ReportCheck } from './estimator/validate-report';
export { createCollector, type CollectorOptions, type CollectorHandler } from './collector/collector';
export { openStore, type CollectorStore, type BatchResult, type StoreOption, type DedupeOptions } from './collector/store';
export { createMemoryStore, type MemoryStoreOptions } from './collector/store-memory';
export { createSqlStore, migrate, MIGRATIONS, UPSERT_STATS_SQL, INSERT_IDS_SQL, SELECT_ROWS_SQL, type SqlClient, type SqlDriver } from './collector/store-sql';
export { createPGliteStore } from './collector/store-pglite';
export { createPostgresStore, type PostgresStoreOptions } from './collector/store-postgres';
export { startCollectorServer, runCli, parseCollectorArgs, type StartCollectorOptions, type RunningCollector, type CliOptions } from './collector/cli';
