import { arch, cpus, hostname, platform, release, totalmem } from "node:os";
import { CollectorPlugin } from "../../plugins/authoring/base.js";
import { DEFAULT_ENV_ALLOWLIST, type EnvironmentCollectorConfig, environmentMetadata } from "./metadata.js";
import { allowed, hideUrlCredentials, looksSecret, redactArgv } from "./secret-names.js";

/**
 * Reads the allowlisted environment variables, never one whose name looks secret.
 *
 * @param env - the environment
 * @param allowlist - names and `PREFIX_*` patterns
 * @returns the collected variables, sorted by name
 */
export function pickEnv(env: NodeJS.ProcessEnv, allowlist: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(env).sort()) {
    const value = env[name];
    if (value === undefined || looksSecret(name) || !allowed(name, allowlist)) continue;
    out[name] = hideUrlCredentials(value);
  }
  return out;
}

/**
 * The built-in `environment` collector: logs the Node version, OS, CPU model, argv and the
 * allowlisted environment variables once, as params under `environment.`. Variables whose
 * names contain KEY, TOKEN, SECRET, PASSWORD and the like are never collected, and the values
 * of such flags in argv are redacted. It emits no metrics.
 */
export class EnvironmentCollector extends CollectorPlugin<EnvironmentCollectorConfig> {
  /** Metadata for hand registration. */
  static metadata = environmentMetadata;

  /** @returns no metrics */
  collect(): Record<string, number> {
    return {};
  }

  /** @returns false: params only, so Tracelet never schedules `collect()` */
  override hasPeriodicSamples(): boolean {
    return false;
  }

  /**
   * The environment, called once by Tracelet after start.
   *
   * @returns `{ environment: { … } }`
   */
  override params(): Record<string, unknown> {
    const logical = cpus(); // each call reads /proc/stat, /proc/cpuinfo and every CPU's frequency file
    const environment: Record<string, unknown> = {
      node_version: process.version,
      v8_version: process.versions.v8,
      os_platform: platform(),
      os_release: release(),
      arch: arch(),
      hostname: hostname(),
      cpu_model: logical[0]?.model ?? "unknown",
      cpu_count: logical.length,
      memory_total_megabytes: totalmem() / 1024 / 1024,
      pid: process.pid,
      cwd: process.cwd(),
      env: pickEnv(process.env, this.config.envAllowlist ?? DEFAULT_ENV_ALLOWLIST),
    };
    if (this.config.argv !== false) environment.argv = redactArgv(process.argv);
    return { environment };
  }
}
