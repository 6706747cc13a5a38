import type { DiscoveryProblem } from "../plugin-record.js";
import type { Candidate } from "./candidate.js";
import { checkAllowDeny, type HostPolicy } from "./check-allow-deny.js";
import { cascadeRefusals, checkDependencies, type KnownPlugins } from "./check-dependencies.js";
import { checkDuplicates } from "./check-duplicates.js";
import { checkEngine } from "./check-engine.js";
import { checkPaths } from "./check-paths.js";
import type { PackageEntry } from "./check-shape.js";

/** What the checks need besides the packages. */
export interface CheckContext {
  /** Tracelet's version, for `engine`. */
  traceletVersion: string;
  /** Built-in and registered plugins (satisfy dependencies; win over discovered ones). */
  known: KnownPlugins;
  /** The host's allow/deny lists. */
  policy: HostPolicy;
  /**
   * Check 5, `requires` (`checkRequires` of check-requires.js, which discovery imports only
   * when some plugin declares `requires`; without such a plugin it has nothing to check).
   */
  checkRequires: (candidate: Candidate) => DiscoveryProblem | undefined;
}

function candidatesOf(entry: PackageEntry, problems: DiscoveryProblem[]): Candidate[] {
  if (!entry.manifest) {
    const issue = entry.issues[0]!;
    const problem: DiscoveryProblem = {
      code: issue.code,
      message: `Package ${entry.name}@${entry.version}: ${issue.message}.`,
      packageName: entry.name,
      path: entry.dir,
    };
    problems.push(problem);
    return (entry.named ?? []).map((p) => ({
      plugin: { ...p, entry: "" },
      pkg: entry,
      state: "refused" as const,
      problem: { ...problem, pluginName: p.name },
    }));
  }
  return entry.manifest.plugins.map((plugin) => {
    const candidate: Candidate = { plugin, pkg: entry, state: "available" };
    const issue = entry.issues.find((i) => i.plugin === plugin.name);
    if (issue) {
      problems.push({
        code: issue.code,
        message: `Plugin "${plugin.name}" of package ${entry.name}@${entry.version}: ${issue.message}.`,
        packageName: entry.name,
        pluginName: plugin.name,
        path: entry.dir,
      });
      candidate.state = "refused";
      candidate.problem = problems.at(-1);
    }
    return candidate;
  });
}

/**
 * Runs every compatibility check, in the documented order: manifest shape (already done per
 * package, see `checkShape`) → paths → engine → plugin dependencies → `requires` →
 * duplicates → allow/deny. A refused plugin is not checked further. Finally, plugins whose
 * dependencies ended up unusable are refused too.
 *
 * @param entries - shape-checked packages
 * @param context - version, known plugins, host policy
 * @returns every candidate with its state, and the problems
 */
export function runChecks(
  entries: readonly PackageEntry[],
  context: CheckContext,
): { candidates: Candidate[]; problems: DiscoveryProblem[] } {
  const problems: DiscoveryProblem[] = [];
  const candidates = entries.flatMap((e) => candidatesOf(e, problems));
  const each = (check: (c: Candidate) => DiscoveryProblem | undefined): void => {
    for (const c of candidates) {
      if (c.state !== "available") continue;
      const problem = check(c);
      if (problem) problems.push(problem);
    }
  };
  each(checkPaths);
  each((c) => checkEngine(c, context.traceletVersion));
  problems.push(...checkDependencies(candidates, context.known));
  each(context.checkRequires);
  problems.push(...checkDuplicates(candidates, context.known));
  each((c) => checkAllowDeny(c, context.policy));
  problems.push(...cascadeRefusals(candidates, context.known));
  return { candidates, problems };
}
