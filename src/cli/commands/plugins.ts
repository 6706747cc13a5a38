import { registerBuiltins } from "../../builtins.js";
import { createLogger } from "../../core/logger.js";
import { PluginManager } from "../../plugins/plugin-manager.js";

/**
 * `tracelet plugins [--json]`: every candidate plugin with its state and, when not usable,
 * the reason and its code.
 *
 * @param args - `--json`, `--cwd <dir>`
 * @returns the exit code
 */
export async function plugins(args: string[]): Promise<number> {
  const cwdIndex = args.indexOf("--cwd");
  const cwd = cwdIndex >= 0 ? args[cwdIndex + 1] : process.cwd();
  const manager = new PluginManager({ cwd, logger: createLogger({ level: "silent" }) });
  registerBuiltins(manager);
  const started = performance.now();
  const report = await manager.discoverPlugins();
  const durationMs = performance.now() - started;
  const all = manager.listPlugins();
  if (args.includes("--json")) {
    const plugins = all.map(({ load: _load, configSchema: _schema, ...rest }) => rest);
    console.log(JSON.stringify({ plugins, problems: report.problems, durationMs }, null, 2));
    return 0;
  }
  for (const p of all) {
    const where = p.packageName ? `${p.packageName}@${p.packageVersion}` : p.source;
    const reason = p.problem ? `  ${p.problem.code}: ${p.problem.message}` : "";
    console.log(`${p.state.padEnd(9)} ${p.type.padEnd(9)} ${p.name.padEnd(20)} ${where}${reason}`);
  }
  for (const problem of report.problems.filter((pr) => !pr.pluginName)) {
    console.log(`problem   ${problem.code}: ${problem.message}${problem.path ? ` (${problem.path})` : ""}`);
  }
  console.log(`\n${all.length} plugin(s), ${report.problems.length} problem(s), discovery ${durationMs.toFixed(1)} ms`);
  return 0;
}
