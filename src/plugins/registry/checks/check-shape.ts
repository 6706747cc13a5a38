import { basename } from "node:path";
import type { RawCandidate } from "../discovery/scan-types.js";
import { MAX_MANIFEST_BYTES, type ManifestPlugin, type TraceletManifest } from "../manifest/manifest-types.js";
import { type ManifestIssue, namedPlugins, validateManifest } from "../manifest/validate-manifest.js";

/**
 * A package that declares a `tracelet` field, parsed and shape-checked. It depends only on
 * its package.json, so the discovery cache keeps it as is.
 */
export interface PackageEntry {
  /** Real path of the package directory. */
  dir: string;
  /** Where it was found. */
  source: RawCandidate["source"];
  /** Distance from the project (nearer wins duplicates). */
  depth: number;
  /** Package name (the directory name when package.json has none). */
  name: string;
  /** Package version (`"0.0.0"` when absent). */
  version: string;
  /** Package description. */
  description?: string;
  /** Package author, as text. */
  author?: string;
  /** The manifest, when its shape is right. */
  manifest?: TraceletManifest;
  /** Shape issues: without `manifest`, the first refuses the whole package. */
  issues: ManifestIssue[];
  /** Plugins a malformed manifest still names (refused with its issue). */
  named?: Array<Pick<ManifestPlugin, "name" | "type">>;
}

// A `tracelet` object with neither `engine` nor `plugins` is a project's run options, not a manifest.
function isHostConfig(field: unknown): boolean {
  return (
    typeof field === "object" &&
    field !== null &&
    !Array.isArray(field) &&
    !Object.hasOwn(field, "engine") &&
    !Object.hasOwn(field, "plugins")
  );
}

function authorText(author: unknown): string | undefined {
  if (typeof author === "string") return author;
  const name = (author as { name?: unknown } | null)?.name;
  return typeof name === "string" ? name : undefined;
}

/**
 * Check 1, manifest shape: parses a candidate's package.json and validates its `tracelet`
 * field. Code `TRACELET_ERR_MANIFEST_INVALID` (or `TRACELET_ERR_SCHEMA_INVALID` for an
 * unbounded inline config schema).
 *
 * @param raw - the scanned candidate
 * @returns the entry, or undefined when the package has no `tracelet` field after all
 */
export function checkShape(raw: RawCandidate): PackageEntry | undefined {
  const base = { dir: raw.dir, source: raw.source, depth: raw.depth, name: basename(raw.dir), version: "0.0.0" };
  if (raw.text === undefined) {
    const message = `package.json is ${raw.size} bytes, over the ${MAX_MANIFEST_BYTES}-byte limit for a plugin manifest`;
    return { ...base, issues: [{ code: "TRACELET_ERR_MANIFEST_INVALID", message }] };
  }
  let pkg: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(raw.text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
    pkg = parsed as Record<string, unknown>;
  } catch (error) {
    const reason = error instanceof Error ? error.message.slice(0, 200) : "unreadable";
    return {
      ...base,
      issues: [{ code: "TRACELET_ERR_MANIFEST_INVALID", message: `package.json is not valid JSON (${reason})` }],
    };
  }
  if (!Object.hasOwn(pkg, "tracelet") || isHostConfig(pkg.tracelet)) return undefined;
  const entry: PackageEntry = {
    ...base,
    name: typeof pkg.name === "string" && pkg.name.length <= 214 ? pkg.name : base.name,
    version: typeof pkg.version === "string" ? pkg.version : base.version,
    description: typeof pkg.description === "string" ? pkg.description.slice(0, 4096) : undefined,
    author: authorText(pkg.author),
    issues: [],
  };
  const { manifest, issues } = validateManifest(pkg.tracelet);
  entry.issues = issues;
  if (manifest) entry.manifest = manifest;
  else entry.named = namedPlugins(pkg.tracelet);
  return entry;
}
