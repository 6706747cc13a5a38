/*
 * Every error code Tracelet throws or reports, with the advice shown to the user.
 *
 * This is the one module that defines codes. `docs/errors.md` has a row per entry and a test
 * keeps the two equal. Codes are never renamed or reused.
 */
const CODES = {
  TRACELET_ERR_MANIFEST_INVALID: "Fix the package's `tracelet` field so it matches docs/plugin-manifest.md.",
  TRACELET_ERR_ENTRY_OUTSIDE_PACKAGE:
    "Point `entry` and `configSchema` at files inside the plugin's own package directory.",
  TRACELET_ERR_ENGINE_INCOMPATIBLE:
    "Install a plugin version whose `tracelet.engine` range admits this Tracelet version, or upgrade Tracelet.",
  TRACELET_ERR_DEPENDENCY_MISSING: "Install the missing plugin or npm package named in the message.",
  TRACELET_ERR_DEPENDENCY_VERSION: "Install a version of the dependency inside the range the plugin asks for.",
  TRACELET_ERR_DEPENDENCY_CYCLE: "Break the cycle: one of the plugins named must stop depending on the next.",
  TRACELET_ERR_DUPLICATE_PLUGIN:
    "Uninstall one of the two packages, or rename the plugin in one of them; the nearer one is used meanwhile.",
  TRACELET_ERR_PLUGIN_NOT_FOUND:
    "Check the plugin name against `npx tracelet plugins`, or install the package that provides it.",
  TRACELET_ERR_PLUGIN_DENIED:
    "Adjust `tracelet.allow` / `tracelet.deny` in the host package.json if the package is trusted.",
  TRACELET_ERR_LOAD_FAILED:
    "Check that the plugin's `entry` file exists, imports cleanly and exports a plugin class under `export`.",
  TRACELET_ERR_CONFIG_INVALID: "Correct the plugin's options; every failing path is listed in the message.",
  TRACELET_ERR_HOOK_TIMEOUT:
    "Make the plugin's call settle sooner, or raise its deadline with `timeouts` (globally or per plugin).",
  TRACELET_ERR_HOOK_FAILED: "See the `cause` for what the plugin threw; the other plugins carried on.",
  TRACELET_ERR_INVALID_METRIC:
    "Log a number (NaN and ±Infinity are kept) or a bigint under a non-empty name of at most 250 characters with no control characters.",
  TRACELET_ERR_RUN_STOPPED: "Start a new experiment; a stopped one accepts no more calls.",
  TRACELET_ERR_OPTION_INVALID: "Correct the option named in the message; see docs/configuration.md.",
  TRACELET_ERR_ARTIFACT_NOT_FOUND: "Pass the path of an existing file or directory to `logArtifact`.",
  TRACELET_ERR_ILLEGAL_TRANSITION:
    "The plugin is not in a state where this operation is allowed; check `status()` first.",
  TRACELET_ERR_PLUGIN_QUARANTINED:
    "The plugin failed too many times in a row and was set aside; fix its cause, then reload it.",
  TRACELET_ERR_SCHEMA_INVALID: "Fix the plugin's `configSchema`: it must be a valid, bounded JSON Schema object.",
  TRACELET_ERR_SPOOL_FAILED: "Check free disk space and permissions of the run directory's `spool/` folder.",
  TRACELET_ERR_DEPENDENCY_FAILED:
    "Fix the dependency named in the message; its dependents are not started while it is failing.",
  TRACELET_ERR_SHUTDOWN_TIMEOUT:
    "Some plugins did not stop in time; raise `timeouts.shutdown` or fix the plugin named.",
  TRACELET_ERR_ARTIFACT_PATH_INVALID:
    "Give `logArtifact` a relative artifact path inside the run (no `..`, no absolute path, no NUL).",
  TRACELET_ERR_RUN_NOT_FOUND:
    "Check the run id with `npx tracelet runs`, or pass the run's directory (and `--dir` if the runs are elsewhere).",
  TRACELET_ERR_RUN_AMBIGUOUS: "Type more characters of the run id: the prefix matches the runs listed.",
  TRACELET_ERR_FILTER_INVALID:
    "Write the filter as `name op value` joined by `and`/`or` (ops `= != < <= > >= ~`); see docs/viewer.md.",
} as const;

/** A stable Tracelet error code, e.g. `"TRACELET_ERR_CONFIG_INVALID"`. */
export type ErrorCode = keyof typeof CODES;

/**
 * Every error code Tracelet throws or reports, mapped to the advice shown to the user (the
 * "How to fix" column of docs/errors.md).
 */
export const ERROR_CODES: Readonly<Record<ErrorCode, string>> = Object.freeze(CODES);

/** Every code, in definition order. */
export const ALL_ERROR_CODES = Object.freeze(Object.keys(ERROR_CODES) as ErrorCode[]);
