import type { DiscoveryProblem, PluginRecord } from "../plugin-record.js";

/** Options of {@link discover}. */
export interface DiscoverOptions {
  /** Where the project is looked for (default `process.cwd()`). */
  cwd: string;
}

/** What discovery found. */
export interface DiscoveryReport {
  /** Every candidate plugin with its state. */
  plugins: PluginRecord[];
  /** Every problem, coded. */
  problems: DiscoveryProblem[];
}

/**
 * Finds plugin packages in the project's node_modules. (Placeholder until discovery lands.)
 *
 * @param _options - where to look
 * @returns the plugins and problems found
 */
export async function discover(_options: DiscoverOptions): Promise<DiscoveryReport> {
  return { plugins: [], problems: [] };
}
