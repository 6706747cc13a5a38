import { statSync } from "node:fs";
import { resolve } from "node:path";
import { TraceletError } from "../../core/errors.js";
import { createLogger } from "../../core/logger.js";
import type { DiscoveryReport } from "../../plugins/discovery/discover.js";
import { PluginManager } from "../../plugins/plugin-manager.js";
import type { PluginRecord } from "../../plugins/plugin-record.js";

/** One plugin as `tracelet plugins --json` prints it (no loader, no schema body). */
export type PluginListing = Omit<PluginRecord, "load" | "configSchema"> & {
  /** Whether the plugin declares a config schema. */
  hasConfigSchema: boolean;
};

/** The document `tracelet plugins --json` prints. */
export interface PluginsListing {
  /** The project root. */
  root: string;
  /** Discovery time in milliseconds. */
  durationMs: number;
  /** Whether the discovery cache was used: `hit`, `miss`, `rebuilt` or `off`. */
  cache: DiscoveryReport["cache"];
  /** Package directories the scan looked at. */
  packagesScanned: number;
  /** Every package that declares a `tracelet` field, with its plugins or its problem. */
  packages: DiscoveryReport["packages"];
  /** Every candidate plugin (built-in, registered, discovered) with its state. */
  plugins: PluginListing[];
  /** Every problem found. */
  problems: DiscoveryReport["problems"];
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function listing(report: DiscoveryReport, all: PluginRecord[]): PluginsListing {
  const plugins = all.map(({ load: _load, configSchema, ...rest }) => ({ ...rest, hasConfigSchema: !!configSchema }));
  const { root, durationMs, cache, packagesScanned, packages, problems } = report;
  return { root, durationMs, cache, packagesScanned, packages, plugins, problems };
}

function printHuman(doc: PluginsListing): void {
  for (const p of doc.plugins) {
    const where = p.packageName ? `${p.packageName}@${p.packageVersion} (${p.source})` : p.source;
    console.log(`${p.state.padEnd(9)} ${p.type.padEnd(9)} ${p.name.padEnd(24)} ${where}`);
    if (p.problem) console.log(`          ${p.problem.code}: ${p.problem.message}`);
  }
  for (const problem of doc.problems.filter((pr) => !pr.pluginName)) {
    console.log(`problem   ${problem.code}: ${problem.message}${problem.path ? ` (${problem.path})` : ""}`);
  }
  const cache = { hit: "cache used", miss: "no cache yet, written", rebuilt: "cache stale, rebuilt", off: "cache off" };
  console.log(
    `\n${doc.plugins.length} plugin(s), ${doc.problems.length} problem(s); discovery ${doc.durationMs.toFixed(1)} ms ` +
      `over ${doc.packagesScanned} package(s), ${cache[doc.cache]}; project ${doc.root}`,
  );
}

/**
 * `tracelet plugins [--json] [--cwd <dir>] [--no-cache]`: every candidate plugin with its
 * state and, for each refused or shadowed one, the reason and its code; plus discovery time
 * and whether the cache was used.
 *
 * @param args - `--json`, `--cwd <dir>`, `--no-cache`
 * @returns the exit code (0; refusals are reported, not failures of the command)
 * @throws TraceletError `TRACELET_ERR_OPTION_INVALID` when `--cwd` is not a directory
 */
export async function plugins(args: string[]): Promise<number> {
  const cwd = resolve(option(args, "--cwd") ?? process.cwd());
  if (!statSync(cwd, { throwIfNoEntry: false })?.isDirectory()) {
    throw new TraceletError("TRACELET_ERR_OPTION_INVALID", `--cwd ${cwd} is not a directory.`, {
      details: { option: "--cwd" },
    });
  }
  const manager = new PluginManager({ cwd, logger: createLogger({ level: "silent" }) });
  const report = await manager.discoverPlugins({ cache: !args.includes("--no-cache") });
  const doc = listing(report, manager.listPlugins());
  if (args.includes("--json")) console.log(JSON.stringify(doc, null, 2));
  else printHuman(doc);
  return 0;
}
