import type { DiscoveryProblem } from "../plugin-record.js";
import { type Candidate, nearerFirst, refuse } from "./candidate.js";
import { satisfiesRange } from "./plain-semver.js";

/** Plugins known without discovery (built-in, registered by hand), by name, with their versions. */
export type KnownPlugins = ReadonlyMap<string, string>;

function nearestAvailable(candidates: readonly Candidate[]): Map<string, Candidate> {
  const best = new Map<string, Candidate>();
  for (const c of [...candidates].sort(nearerFirst)) {
    if (c.state === "available" && !best.has(c.plugin.name)) best.set(c.plugin.name, c);
  }
  return best;
}

function findCycles(available: Map<string, Candidate>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "visiting" | "done">();
  const path: string[] = [];
  const visit = (name: string): void => {
    state.set(name, "visiting");
    path.push(name);
    for (const dep of Object.keys(available.get(name)?.plugin.dependencies ?? {})) {
      if (!available.has(dep)) continue;
      const s = state.get(dep);
      if (s === "visiting") cycles.push([...path.slice(path.indexOf(dep)), dep]);
      else if (s === undefined) visit(dep);
    }
    path.pop();
    state.set(name, "done");
  };
  for (const name of [...available.keys()].sort()) if (!state.has(name)) visit(name);
  return cycles;
}

/**
 * Refuses, until nothing changes, every available plugin that depends on a plugin that is no
 * longer usable (code `TRACELET_ERR_DEPENDENCY_MISSING`).
 *
 * @param candidates - all candidates
 * @param known - built-in and registered plugins
 * @returns the problems added
 */
export function cascadeRefusals(candidates: readonly Candidate[], known: KnownPlugins): DiscoveryProblem[] {
  const problems: DiscoveryProblem[] = [];
  for (let changed = true; changed; ) {
    changed = false;
    const best = nearestAvailable(candidates);
    for (const c of best.values()) {
      for (const dep of Object.keys(c.plugin.dependencies ?? {})) {
        if (best.has(dep) || known.has(dep)) continue;
        const other = candidates.find((o) => o.plugin.name === dep);
        const why = other?.problem ? `, which is ${other.state} (${other.problem.code})` : ", which is not installed";
        problems.push(refuse(c, "TRACELET_ERR_DEPENDENCY_MISSING", `it needs plugin "${dep}"${why}`));
        changed = true;
        break;
      }
    }
  }
  return problems;
}

/**
 * Check 4, plugin dependencies: each one present (`TRACELET_ERR_DEPENDENCY_MISSING`), its
 * package version inside the range (`TRACELET_ERR_DEPENDENCY_VERSION`), and no cycle
 * (`TRACELET_ERR_DEPENDENCY_CYCLE`, naming the whole cycle, every member refused). A plugin
 * whose dependency is refused is refused in turn.
 *
 * @param candidates - all candidates (only available ones are checked)
 * @param known - built-in and registered plugins
 * @returns the problems added
 */
export function checkDependencies(candidates: readonly Candidate[], known: KnownPlugins): DiscoveryProblem[] {
  const problems: DiscoveryProblem[] = [];
  const best = nearestAvailable(candidates);
  for (const c of best.values()) {
    for (const [dep, range] of Object.entries(c.plugin.dependencies ?? {})) {
      const target = best.get(dep);
      const version = target ? target.pkg.version : known.get(dep);
      if (version === undefined) continue; // reported by the cascade below, with the reason
      if (!satisfiesRange(version, range)) {
        const from = target ? ` (package ${target.pkg.name})` : "";
        problems.push(
          refuse(
            c,
            "TRACELET_ERR_DEPENDENCY_VERSION",
            `it needs plugin "${dep}" ${range}, and ${version} is installed${from}`,
          ),
        );
        break;
      }
    }
  }
  const available = nearestAvailable(candidates);
  for (const cycle of findCycles(available)) {
    for (const name of new Set(cycle)) {
      const c = available.get(name)!;
      if (c.state === "available") {
        problems.push(refuse(c, "TRACELET_ERR_DEPENDENCY_CYCLE", `plugins depend on each other: ${cycle.join(" → ")}`));
      }
    }
  }
  problems.push(...cascadeRefusals(candidates, known));
  return problems;
}
