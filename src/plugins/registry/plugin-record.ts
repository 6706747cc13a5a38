import type { ErrorCode } from "../../core/error-codes.js";
import type { PluginClass, PluginMetadata } from "../../core/plugin-api.js";

/** A problem found while discovering or checking plugins; discovery never throws for these. */
export interface DiscoveryProblem {
  /** The coded reason. */
  code: ErrorCode;
  /** What is wrong and how to fix it. */
  message: string;
  /** The package concerned. */
  packageName?: string;
  /** The plugin concerned. */
  pluginName?: string;
  /** The file or directory concerned. */
  path?: string;
}

/** Where a plugin came from. */
export type PluginSource = "builtin" | "registered" | "project" | "user";

/** Whether a known plugin can be used. */
export type DiscoveryState = "available" | "shadowed" | "refused";

/** One plugin known to a {@link PluginManager}: discovered, built in or registered by hand. */
export interface PluginRecord extends PluginMetadata {
  /** Plugin version (the package's when not declared). */
  version: string;
  /** Where it came from. */
  source: PluginSource;
  /** Whether it can be used. */
  state: DiscoveryState;
  /** Why it cannot be used (refused) or why another one wins (shadowed). */
  problem?: DiscoveryProblem;
  /** The npm package that declares it. */
  packageName?: string;
  /** That package's version. */
  packageVersion?: string;
  /** Real path of the package directory. */
  path?: string;
  /** Entry module, relative to the package. */
  entry?: string;
  /** Named export holding the class (default `"default"`). */
  export?: string;
  /** npm packages that must be installed, with ranges. */
  requires?: Record<string, string>;
  /** Imports the plugin class (the module is imported once, on first activation). */
  load: () => Promise<PluginClass>;
}
