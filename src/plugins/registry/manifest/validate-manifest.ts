import type { ErrorCode } from "../../../core/error-codes.js";
import { isValidRange, isValidVersion } from "../checks/plain-semver.js";
import { manifestShapeErrors } from "./check-manifest-shape.js";
import type { ManifestPlugin, TraceletManifest } from "./manifest-types.js";
import { schemaBoundsProblem } from "./schema-bounds.js";

/** One thing wrong with a manifest: the whole package's (no `plugin`) or one plugin's. */
export interface ManifestIssue {
  /** The coded reason. */
  code: ErrorCode;
  /** What is wrong. */
  message: string;
  /** The plugin concerned, when only that plugin is refused. */
  plugin?: string;
}

/** Outcome of {@link validateManifest}. */
export interface ManifestResult {
  /** The manifest, when its shape is right (some plugins may still have issues). */
  manifest?: TraceletManifest;
  /** Everything wrong. Without `manifest`, the first one refuses the whole package. */
  issues: ManifestIssue[];
}

function describe(errors: string[]): string {
  const more = errors.length > 5 ? ` (and ${errors.length - 5} more)` : "";
  return errors.slice(0, 5).join("; ") + more;
}

function rangeProblems(plugin: ManifestPlugin): string | undefined {
  if (plugin.version !== undefined && !isValidVersion(plugin.version))
    return `version "${plugin.version}" is not semver`;
  for (const field of ["dependencies", "requires"] as const) {
    for (const [name, range] of Object.entries(plugin[field] ?? {})) {
      if (!isValidRange(range)) return `${field}.${name} "${range}" is not a semver range`;
    }
  }
  return undefined;
}

/**
 * Validates a package's `tracelet` field: its shape (`MANIFEST_SCHEMA`, see `manifestShapeErrors`), then the
 * semver ranges, unique names and bounded config schemas.
 *
 * @param field - the raw `tracelet` value
 * @returns the manifest and its issues
 * @example
 * ```ts
 * const { manifest, issues } = validateManifest({ engine: "^1.0.0", plugins: [] });
 * ```
 */
export function validateManifest(field: unknown): ManifestResult {
  const errors = manifestShapeErrors(field);
  if (errors.length > 0) {
    return {
      issues: [
        { code: "TRACELET_ERR_MANIFEST_INVALID", message: `its tracelet field is malformed: ${describe(errors)}` },
      ],
    };
  }
  const manifest = field as unknown as TraceletManifest;
  if (!isValidRange(manifest.engine)) {
    return {
      issues: [{ code: "TRACELET_ERR_MANIFEST_INVALID", message: `engine "${manifest.engine}" is not a semver range` }],
    };
  }
  const issues: ManifestIssue[] = [];
  const seen = new Set<string>();
  for (const plugin of manifest.plugins) {
    if (seen.has(plugin.name)) {
      return {
        issues: [{ code: "TRACELET_ERR_MANIFEST_INVALID", message: `plugin "${plugin.name}" is declared twice` }],
      };
    }
    seen.add(plugin.name);
    const range = rangeProblems(plugin);
    if (range) issues.push({ code: "TRACELET_ERR_MANIFEST_INVALID", message: range, plugin: plugin.name });
    else if (typeof plugin.configSchema === "object") {
      const bounds = schemaBoundsProblem(plugin.configSchema);
      if (bounds)
        issues.push({
          code: "TRACELET_ERR_SCHEMA_INVALID",
          message: `its configSchema is unusable: ${bounds}`,
          plugin: plugin.name,
        });
    }
  }
  return { manifest, issues };
}

/**
 * The plugins an invalid manifest still names recognisably (a string name and a known type),
 * so that asking for one of them reports the manifest's problem rather than "not found".
 *
 * @param field - the raw `tracelet` value
 * @param limit - most names returned
 * @returns name and type pairs
 */
export function namedPlugins(field: unknown, limit = 100): Array<Pick<ManifestPlugin, "name" | "type">> {
  const plugins = (field as { plugins?: unknown } | null)?.plugins;
  if (!Array.isArray(plugins)) return [];
  const out: Array<Pick<ManifestPlugin, "name" | "type">> = [];
  for (const p of plugins.slice(0, limit)) {
    const { name, type } = (p ?? {}) as Record<string, unknown>;
    if (typeof name === "string" && name.length <= 214 && (type === "backend" || type === "collector")) {
      out.push({ name, type });
    }
  }
  return out;
}
