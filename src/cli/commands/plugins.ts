import { statSync } from "node:fs";
import { resolve } from "node:path";
import { TraceletError } from "../../core/errors.js";
import { createLogger } from "../../core/logger.js";
import { PluginManager } from "../../plugin-manager.js";
import type { DiscoveryReport } from "../../plugins/registry/discovery/discover.js";
import type { DiscoveryProblem, PluginRecord } from "../../plugins/registry/plugin-record.js";

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
  /** How the cache was checked: `default`, `strict` or `off`. */
  cacheMode: DiscoveryReport["cacheMode"];
  /** Why the cache was rebuilt (or not used), when it was not used. */
  cacheReason?: string;
  /** `node_modules`, or `pnp` for Yarn Plug'n'Play. */
  layout: DiscoveryReport["layout"];
  /** Package directories the scan looked at. */
  packagesScanned: number;
  /** Every package that declares a `tracelet` field, with its plugins or its problem. */
  packages: DiscoveryReport["packages"];
  /** Every candidate plugin (built-in, registered, discovered) with its state. */
  plugins: PluginListing[];
  /**
   * Every problem found: discovery's, and each available plugin whose entry file is missing or
   * lacks its export (`TRACELET_ERR_LOAD_FAILED`, found without running the module).
   */
  problems: DiscoveryProblem[];
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function listing(report: DiscoveryReport, all: PluginRecord[]): PluginsListing {
  const plugins = all.map(({ load: _load, configSchema, ...rest }) => ({ ...rest, hasConfigSchema: !!configSchema }));
  const { root, durationMs, cache, cacheMode, cacheReason, layout, packagesScanned, packages, problems } = report;
  return {
    root,
    durationMs,
    cache,
    cacheMode,
    ...(cacheReason === undefined ? {} : { cacheReason }),
    layout,
    packagesScanned,
    packages,
    plugins,
    problems: [...problems],
  };
}

// Each available discovered plugin's entry, checked without running it: one found missing or
// lacking its export is listed as refused, with the problem, as a run would refuse it.
async function checkEntries(doc: PluginsListing): Promise<void> {
  const { checkEntryExports } = await import("../../plugins/registry/checks/check-entry-exports.js");
  for (const p of doc.plugins) {
    if (p.state !== "available" || !p.path || p.entry === undefined) continue;
    const problem = await checkEntryExports({
      name: p.name,
      packageName: p.packageName,
      dir: p.path,
      entry: p.entry,
      exportName: p.export ?? "default",
    });
    if (!problem) continue;
    p.state = "refused";
    p.problem = problem;
    doc.problems.push(problem);
  }
}

const CACHE_WORDS = { hit: "cache used", miss: "no cache yet, written", rebuilt: "cache rebuilt", off: "cache off" };

function printHuman(doc: PluginsListing): void {
  for (const p of doc.plugins) {
    const where = p.packageName ? `${p.packageName}@${p.packageVersion} (${p.source})` : p.source;
    console.log(`${p.state.padEnd(9)} ${p.type.padEnd(9)} ${p.name.padEnd(24)} ${where}`);
    if (p.problem) console.log(`          ${p.problem.code}: ${p.problem.message}`);
  }
  for (const problem of doc.problems.filter((pr) => !pr.pluginName)) {
    console.log(`problem   ${problem.code}: ${problem.message}${problem.path ? ` (${problem.path})` : ""}`);
  }
  const mode = doc.cacheMode === "off" ? "" : ` (${doc.cacheMode} mode)`;
  const why = doc.cacheReason && doc.cache !== "hit" ? `: ${doc.cacheReason}` : "";
  console.log(
    `\n${doc.plugins.length} plugin(s), ${doc.problems.length} problem(s); discovery ${doc.durationMs.toFixed(1)} ms ` +
      `over ${doc.packagesScanned} package(s), ${CACHE_WORDS[doc.cache]}${mode}${why}; project ${doc.root}`,
  );
}

/**
 * `tracelet plugins [--json] [--cwd <dir>] [--strict | --no-cache]`: every candidate plugin
 * with its state and, for each refused or shadowed one, the reason and its code; each available
 * plugin's entry checked for its export without running it; plus discovery time, the cache mode
 * and why the cache was rebuilt.
 *
 * @param args - `--json`, `--cwd <dir>`, `--strict`, `--no-cache`
 * @returns the exit code: 0, or 1 when any problem is reported (so CI can run it)
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
  const cache = args.includes("--no-cache") ? "off" : args.includes("--strict") ? "strict" : true;
  const report = await manager.discoverPlugins({ cache });
  const doc = listing(report, manager.listPlugins());
  await checkEntries(doc);
  if (args.includes("--json")) console.log(JSON.stringify(doc, null, 2));
  else printHuman(doc);
  return doc.problems.length === 0 ? 0 : 1;
}
