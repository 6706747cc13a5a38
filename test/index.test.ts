import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

// The public surface as users get it: the built entry points (dist/, built by the global setup)
// and their declarations. These lists are the review point of every change to the surface: a
// name added to or dropped from `src/index.ts` or `src/testing/index.ts` fails here until it is
// added here on purpose (docs/architecture.md, "The public surface", says what belongs).
const ROOT = resolve(import.meta.dirname, "..");
const DIST = join(ROOT, "dist");

/** What `import ... from "tracelet"` gives at run time. */
const VALUES = [
  "ALL_ERROR_CODES",
  "BackendPlugin",
  "CollectorPlugin",
  "DEFAULT_ENV_ALLOWLIST",
  "ERROR_CODES",
  "Experiment",
  "MANIFEST_SCHEMA",
  "PluginManager",
  "TRACELET_VERSION",
  "TraceletError",
  "definePlugin",
  "isTraceletError",
  "iterateMetrics",
  "readMetrics",
  "startExperiment",
];

/** The names `"tracelet"` exports only as types (the values above are types too). */
const TYPES = [
  "ArtifactEvent",
  "AsyncHookTap",
  "BackendConfigs",
  "BackendHandlers",
  "BackendInstance",
  "BackendMethods",
  "BackendName",
  "CacheMode",
  "CandidatePackage",
  "ChannelStatus",
  "CollectEvent",
  "CollectorConfigs",
  "CollectorHandlers",
  "CollectorInstance",
  "CollectorInterval",
  "CollectorMethods",
  "CollectorName",
  "ConfigSchema",
  "DefinedPluginClass",
  "DefinedPluginMetadata",
  "DiscoverOptions",
  "DiscoveryCacheOption",
  "DiscoveryProblem",
  "DiscoveryReport",
  "DiscoveryState",
  "EnvironmentCollectorConfig",
  "ErrorCode",
  "ErrorDetails",
  "ErrorEvent",
  "ExecutionMode",
  "ExperimentState",
  "ExperimentStatus",
  "FailureCause",
  "FromSchema",
  "GitCollectorConfig",
  "HandlersOf",
  "HookName",
  "HookTaps",
  "JsonTypeName",
  "JsonlConfig",
  "LoadAllOptions",
  "LogMetricOptions",
  "Logger",
  "ManifestPlugin",
  "MetricColumns",
  "MetricRecord",
  "MlflowConfig",
  "PluginBase",
  "PluginClass",
  "PluginConfig",
  "PluginConfigs",
  "PluginContext",
  "PluginDefinition",
  "PluginErrorInfo",
  "PluginFailure",
  "PluginInstance",
  "PluginLifecycle",
  "PluginManagerOptions",
  "PluginMetadata",
  "PluginOpResult",
  "PluginRecord",
  "PluginRegistry",
  "PluginRegistryOptions",
  "PluginSource",
  "PluginState",
  "PluginStats",
  "PluginStatus",
  "PluginTimeouts",
  "PluginType",
  "ProcessCollectorConfig",
  "ReadMetricsResult",
  "RetryOptions",
  "RunEnd",
  "RunEndError",
  "RunEndStatus",
  "RunIdentity",
  "RunOptions",
  "SqliteConfig",
  "StartExperimentOptions",
  "StartExperimentWithManagerOptions",
  "StateChangeEvent",
  "StopReport",
  "SyncHookTap",
  "SystemCollectorConfig",
  "TensorboardConfig",
  "Timeouts",
  "TraceletErrorJSON",
  "TraceletErrorOptions",
  "TraceletManifest",
  "TraceletTypeSettings",
  "TypedRunOptions",
  "UncheckedPluginNames",
];

/** What `import ... from "tracelet/testing"` gives at run time, and its types. */
const TESTING_VALUES = ["MemoryBackend", "withTestExperiment"];
const TESTING_TYPES = ["MemoryArtifact", "MemoryBackendConfig"];

/** The names the contract fixes for `"tracelet"`: values, and types. */
const CONTRACT_VALUES = [
  "BackendPlugin",
  "CollectorPlugin",
  "PluginManager",
  "TRACELET_VERSION",
  "TraceletError",
  "isTraceletError",
  "startExperiment",
];
const CONTRACT_TYPES = ["MetricRecord", "PluginStatus"];

const sorted = (names: Iterable<string>) => [...names].sort();

/** The names a declaration file exports, as the TypeScript compiler resolves them. */
function declaredNames(file: string): string[] {
  const program = ts.createProgram([file], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    noEmit: true,
  });
  const source = program.getSourceFile(file);
  const checker = program.getTypeChecker();
  const module = source && checker.getSymbolAtLocation(source);
  if (!module) throw new Error(`no module symbol for ${file}`);
  return sorted(checker.getExportsOfModule(module).map((s) => s.getName()));
}

describe("the public surface", () => {
  it('"tracelet" exports these values at run time, and nothing else', async () => {
    expect(sorted(Object.keys(await import(join(DIST, "index.js"))))).toEqual(sorted(VALUES));
  });

  it('"tracelet" declares these names (the values and the types), and nothing else', () => {
    expect(declaredNames(join(DIST, "index.d.ts"))).toEqual(sorted([...VALUES, ...TYPES]));
  });

  it('"tracelet/testing" exports these values and declares these names, and nothing else', async () => {
    expect(sorted(Object.keys(await import(join(DIST, "testing/index.js"))))).toEqual(sorted(TESTING_VALUES));
    expect(declaredNames(join(DIST, "testing/index.d.ts"))).toEqual(sorted([...TESTING_VALUES, ...TESTING_TYPES]));
  });

  it("every name of the contract is among them", () => {
    expect(CONTRACT_VALUES.filter((name) => !VALUES.includes(name))).toEqual([]);
    expect(CONTRACT_TYPES.filter((name) => !TYPES.includes(name))).toEqual([]);
  });

  it("no declaration file keeps an @internal member (stripInternal is on in the build)", () => {
    const leaking = readdirSync(DIST, { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".d.ts"))
      .filter((f) => readFileSync(join(DIST, f), "utf8").includes("@internal"));
    expect(leaking).toEqual([]);
  });
});
