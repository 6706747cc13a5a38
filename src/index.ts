/**
 * Tracelet: an in-process plugin framework for experiment tracking.
 *
 * @packageDocumentation
 */

export type { JsonlConfig } from "./backends/jsonl/jsonl-backend.js";
export { iterateMetrics, type ReadMetricsResult, readMetrics } from "./backends/jsonl/read-run.js";
export type { MlflowConfig } from "./backends/mlflow/mlflow-backend.js";
export type { SqliteConfig } from "./backends/sqlite/metadata.js";
export type { TensorboardConfig } from "./backends/tensorboard/tensorboard-backend.js";
export { DEFAULT_ENV_ALLOWLIST, type EnvironmentCollectorConfig } from "./collectors/environment/metadata.js";
export type { GitCollectorConfig } from "./collectors/git/metadata.js";
export type { ProcessCollectorConfig } from "./collectors/process/metadata.js";
export type { SystemCollectorConfig } from "./collectors/system/metadata.js";
export type { ChannelStatus } from "./core/data/backend-channel-types.js";
export type { RetryOptions } from "./core/data/backoff.js";
export { ALL_ERROR_CODES, ERROR_CODES, type ErrorCode } from "./core/error-codes.js";
export {
  type ErrorDetails,
  isTraceletError,
  TraceletError,
  type TraceletErrorJSON,
  type TraceletErrorOptions,
} from "./core/errors.js";
export {
  Experiment,
  type ExperimentState,
  type ExperimentStatus,
  type LogMetricOptions,
  type StopReport,
} from "./core/experiment.js";
export type { FailureCause } from "./core/failure-cause.js";
export type {
  ArtifactEvent,
  AsyncHookTap,
  CollectEvent,
  ErrorEvent,
  HookTaps,
  StateChangeEvent,
  SyncHookTap,
} from "./core/hooks.js";
export type { Logger } from "./core/logger.js";
export type { RunOptions } from "./core/options.js";
export type {
  BackendInstance,
  BackendMethods,
  CollectorInstance,
  CollectorMethods,
  ExecutionMode,
  PluginClass,
  PluginInstance,
  PluginLifecycle,
  PluginMetadata,
} from "./core/plugin-api.js";
export type { RunEnd, RunEndError, RunEndStatus } from "./core/run-end.js";
export type {
  HookName,
  MetricColumns,
  MetricRecord,
  PluginContext,
  PluginErrorInfo,
  PluginFailure,
  PluginState,
  PluginStats,
  PluginStatus,
  PluginTimeouts,
  PluginType,
  RunIdentity,
  Timeouts,
} from "./core/types.js";
export { TRACELET_VERSION } from "./core/version.js";
export type {
  BackendConfigs,
  BackendName,
  CollectorConfigs,
  CollectorInterval,
  CollectorName,
  PluginConfigs,
  TraceletTypeSettings,
  TypedRunOptions,
  UncheckedPluginNames,
} from "./plugin-configs.js";
export { PluginManager, type PluginManagerOptions } from "./plugin-manager.js";
export { BackendPlugin, CollectorPlugin, type PluginBase } from "./plugins/authoring/base.js";
export {
  type BackendHandlers,
  type CollectorHandlers,
  type DefinedPluginClass,
  type DefinedPluginMetadata,
  definePlugin,
  type HandlersOf,
  type PluginConfig,
  type PluginDefinition,
} from "./plugins/authoring/define-plugin.js";
export type { ConfigSchema, FromSchema, JsonTypeName } from "./plugins/authoring/from-schema.js";
export type { CacheMode } from "./plugins/registry/discovery/cache.js";
export type { DiscoveryCacheOption } from "./plugins/registry/discovery/cache-mode.js";
export type { CandidatePackage, DiscoverOptions, DiscoveryReport } from "./plugins/registry/discovery/discover.js";
export { MANIFEST_SCHEMA } from "./plugins/registry/manifest/manifest-schema.js";
export type { ManifestPlugin, TraceletManifest } from "./plugins/registry/manifest/manifest-types.js";
export type { DiscoveryProblem, DiscoveryState, PluginRecord, PluginSource } from "./plugins/registry/plugin-record.js";
export type {
  LoadAllOptions,
  PluginOpResult,
  PluginRegistry,
  PluginRegistryOptions,
} from "./plugins/registry/plugin-registry.js";
export {
  type StartExperimentOptions,
  type StartExperimentWithManagerOptions,
  startExperiment,
} from "./start-experiment.js";
