import type { DiscoveryProblem } from "../plugin-record.js";
import { type Candidate, refuse } from "./candidate.js";
import { matchesGlob } from "./glob.js";

/** The host's package-name globs: `tracelet.allow` and `tracelet.deny` in its package.json. */
export interface HostPolicy {
  /** When present, only matching packages are allowed. */
  allow?: readonly string[];
  /** Matching packages are refused (deny wins over allow). */
  deny?: readonly string[];
}

/**
 * Reads `allow` / `deny` from the host's `tracelet` field (a string or an array of strings).
 *
 * @param field - the host's `tracelet` field
 * @returns the policy
 */
export function policyOf(field: Record<string, unknown>): HostPolicy {
  const list = (v: unknown): string[] | undefined =>
    typeof v === "string" ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : undefined;
  return { allow: list(field.allow), deny: list(field.deny) };
}

/**
 * Check 7, the host's allow/deny lists: a package matching a `deny` glob, or matching no
 * `allow` glob when `allow` is given, is refused with `TRACELET_ERR_PLUGIN_DENIED`.
 *
 * @param candidate - the plugin
 * @param policy - the host's lists
 * @returns the problem, when refused
 */
export function checkAllowDeny(candidate: Candidate, policy: HostPolicy): DiscoveryProblem | undefined {
  const name = candidate.pkg.name;
  const denied = policy.deny?.find((g) => matchesGlob(name, g));
  if (denied)
    return refuse(candidate, "TRACELET_ERR_PLUGIN_DENIED", `the host's tracelet.deny matches it ("${denied}")`);
  if (policy.allow && !policy.allow.some((g) => matchesGlob(name, g))) {
    return refuse(candidate, "TRACELET_ERR_PLUGIN_DENIED", `the host's tracelet.allow does not list package ${name}`);
  }
  return undefined;
}
