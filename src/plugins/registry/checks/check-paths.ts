import { readPackageFile } from "../discovery/package-file.js";
import { MAX_MANIFEST_BYTES } from "../manifest/manifest-types.js";
import { schemaBoundsProblem } from "../manifest/schema-bounds.js";
import type { DiscoveryProblem } from "../plugin-record.js";
import { type Candidate, refuse } from "./candidate.js";
import { pathInside } from "./inside-package.js";

function loadSchemaFile(candidate: Candidate, file: string): DiscoveryProblem | undefined {
  const declared = candidate.plugin.configSchema as string;
  try {
    // From disk, or from the package's zip archive under Yarn Plug'n'Play.
    const read = readPackageFile(file, MAX_MANIFEST_BYTES);
    if (read.kind === "absent") throw new Error("not a readable file");
    if (read.kind === "too-large") throw new Error(`over the ${MAX_MANIFEST_BYTES}-byte limit`);
    const schema: unknown = JSON.parse(read.text);
    if (typeof schema !== "object" || schema === null || Array.isArray(schema)) throw new Error("not a JSON object");
    const bounds = schemaBoundsProblem(schema);
    if (bounds) throw new Error(bounds);
    candidate.schema = schema as Record<string, unknown>;
    return undefined;
  } catch (error) {
    const reason = error instanceof Error ? error.message.slice(0, 200) : "unreadable";
    return refuse(candidate, "TRACELET_ERR_SCHEMA_INVALID", `configSchema file "${declared}" is unusable (${reason})`);
  }
}

/**
 * Check 2, paths: `entry` and a `configSchema` path must stay inside the package (no `..`,
 * no absolute path, no symlink out of it); a schema file is then read and bounded. Code
 * `TRACELET_ERR_ENTRY_OUTSIDE_PACKAGE` (or `TRACELET_ERR_SCHEMA_INVALID` for an unusable
 * schema file).
 *
 * @param candidate - the plugin
 * @returns the problem, when refused
 */
export function checkPaths(candidate: Candidate): DiscoveryProblem | undefined {
  const { plugin, pkg } = candidate;
  if (pathInside(pkg.dir, plugin.entry) === undefined) {
    return refuse(
      candidate,
      "TRACELET_ERR_ENTRY_OUTSIDE_PACKAGE",
      `entry "${plugin.entry}" resolves outside ${pkg.dir}`,
    );
  }
  if (typeof plugin.configSchema === "string") {
    const file = pathInside(pkg.dir, plugin.configSchema);
    if (file === undefined) {
      return refuse(
        candidate,
        "TRACELET_ERR_ENTRY_OUTSIDE_PACKAGE",
        `configSchema "${plugin.configSchema}" resolves outside ${pkg.dir}`,
      );
    }
    return loadSchemaFile(candidate, file);
  }
  candidate.schema = plugin.configSchema;
  return undefined;
}
