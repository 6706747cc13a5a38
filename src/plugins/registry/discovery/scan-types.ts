import type { PluginSource } from "../plugin-record.js";
import type { Signature } from "./file-signature.js";

/** A place discovery scans. */
export interface ScanRoot {
  /** The directory. */
  dir: string;
  /** `"project"` or `"user"`. */
  source: Extract<PluginSource, "project" | "user">;
  /** 0 for the project's own node_modules; more for places farther from the project. */
  depth: number;
  /** `node_modules` as package managers leave it, or a plain folder of plugin packages. */
  kind: "node_modules" | "plugins-dir";
}

/** A package whose package.json mentions `"tracelet"`, not yet parsed. */
export interface RawCandidate {
  /** Real path of the package directory. */
  dir: string;
  /** `"project"` or `"user"`. */
  source: ScanRoot["source"];
  /** How far from the project (nearer wins duplicates). */
  depth: number;
  /** The package.json text, or undefined when it was too large to read. */
  text?: string;
  /** Its size in bytes. */
  size: number;
}

/**
 * Package directories whose package.json was read, grouped by parent: each group is
 * `[parent, ...paths relative to it]`. Kept so that a warm start can check every package.json
 * discovery read (any in-place edit changes its ctime).
 */
export type PackageGroups = string[][];

/** What a scan saw: candidates, and everything whose change would matter. */
export interface ScanResult {
  /** Packages that may declare plugins. */
  candidates: RawCandidate[];
  /** Signatures of every directory listed (or looked for and absent). */
  dirs: Record<string, Signature>;
  /** Every package directory whose package.json was read, plugin or not. */
  packages: PackageGroups;
  /** Package directories looked at whose package.json was absent or unreadable. */
  missing: string[];
  /** How many package directories were looked at. */
  packagesSeen: number;
  /** Zip archives whose packages were read (Yarn Plug'n'Play). */
  archives?: string[];
}
