// Public entry `cohortkit/server`.
export {
  createEstimator,
  createReportValidator,
  rowKey,
  addToRows,
  mergeRow,
  estimateFromRows,
} from './server/index';
export type {
  Estimator,
  EstimatorOptions,
  EstimatorSnapshot,
  AddResult,
  StatsRow,
  StatsKey,
  CohortEstimate,
  EstimateResult,
  EstimateOptions,
  ReportCheck,
} from './server/index';
export type { CohortSpace, LDPReport } from './types';
export {
  createCollector,
  openStore,
  createMemoryStore,
  createSqlStore,
  createPGliteStore,
  createPostgresStore,
  migrate,
  MIGRATIONS,
  UPSERT_STATS_SQL,
  INSERT_IDS_SQL,
  SELECT_ROWS_SQL,
  startCollectorServer,
  runCli,
  parseCollectorArgs,
} from './server/index';
export type {
  CollectorOptions,
  CollectorHandler,
  CollectorStore,
  BatchResult,
  StoreOption,
  DedupeOptions,
  MemoryStoreOptions,
  SqlClient,
  SqlDriver,
  PostgresStoreOptions,
  StartCollectorOptions,
  RunningCollector,
  CliOptions,
} from './server/index';
// Experiments: read conversion per arm and lift from an experiment space's estimate.
export {
  readLift,
  defineExperiment,
  planExperiment,
  type Lift,
  type ArmRate,
  type LiftInput,
  type ExperimentOptions,
  type PlanOptions,
  type ExperimentPlan,
} from './personalization/experiment';
// Metrics over LDP aggregates: fairness audits and consent rates.
export {
  defineAudit,
  readAudit,
  consentSpace,
  readConsentRates,
  type AuditOptions,
  type AuditGroup,
  type AuditResult,
  type ConsentRates,
  type ConsentShare,
} from './metrics/index';
