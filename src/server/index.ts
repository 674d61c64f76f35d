export {
  createEstimator,
  type Estimator,
  type EstimatorOptions,
  type EstimatorSnapshot,
  type AddResult,
} from './estimator';
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
} from './stats';
export { createReportValidator, checkSpaces, isReportId, spaceVersion, type ReportCheck } from './validate-report';
export { createCollector, type CollectorOptions, type CollectorHandler } from './collector';
export { openStore, type CollectorStore, type BatchResult, type StoreOption, type DedupeOptions } from './store';
export { createMemoryStore, type MemoryStoreOptions } from './store-memory';
export { createSqlStore, migrate, MIGRATIONS, UPSERT_STATS_SQL, INSERT_IDS_SQL, SELECT_ROWS_SQL, type SqlClient, type SqlDriver } from './store-sql';
export { createPGliteStore } from './store-pglite';
export { createPostgresStore, type PostgresStoreOptions } from './store-postgres';
export { startCollectorServer, runCli, parseCollectorArgs, type StartCollectorOptions, type RunningCollector, type CliOptions } from './cli';
