import type { DiscoveryProblem } from "../plugin-record.js";
import { type Candidate, nearerFirst, refuse } from "./candidate.js";
import type { KnownPlugins } from "./check-dependencies.js";

/**
 * Check 6, duplicate names: among usable plugins of the same name the nearest wins (the
 * project's over user-level locations, hoisted over nested, then package name order). A
 * user-level one behind a project one is `shadowed` (not an error, not in `problems`); any
 * other loser is refused with `TRACELET_ERR_DUPLICATE_PLUGIN`, naming both packages. A
 * discovered plugin named like a built-in or registered one is shadowed by it.
 *
 * @param candidates - all candidates
 * @param known - built-in and registered plugins (they always win)
 * @returns the problems added (shadowing adds none)
 */
export function checkDuplicates(candidates: readonly Candidate[], known: KnownPlugins): DiscoveryProblem[] {
  const problems: DiscoveryProblem[] = [];
  const byName = new Map<string, Candidate[]>();
  for (const c of candidates) {
    if (c.state !== "available") continue;
    const list = byName.get(c.plugin.name) ?? [];
    list.push(c);
    byName.set(c.plugin.name, list);
  }
  for (const [name, list] of byName) {
    if (known.has(name)) {
      for (const c of list)
        refuse(c, "TRACELET_ERR_DUPLICATE_PLUGIN", `a built-in or registered plugin of that name wins`, "shadowed");
      continue;
    }
    if (list.length < 2) continue;
    const [winner, ...losers] = list.sort(nearerFirst);
    const where = `${winner!.pkg.name}@${winner!.pkg.version} (${winner!.pkg.dir})`;
    for (const loser of losers) {
      if (winner!.pkg.source === "project" && loser.pkg.source === "user") {
        refuse(loser, "TRACELET_ERR_DUPLICATE_PLUGIN", `shadowed by the project's package ${where}`, "shadowed");
      } else {
        const reason = `package ${winner!.pkg.name} also declares it, and ${where} is nearer the project so it is used`;
        problems.push(refuse(loser, "TRACELET_ERR_DUPLICATE_PLUGIN", reason));
      }
    }
  }
  return problems;
}
