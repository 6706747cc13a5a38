import { dirname } from "node:path";

/** The host project's `tracelet` field and where its package.json is. */
export interface HostConfig {
  /** Directory of the host package.json (the project root). */
  root: string;
  /** The host's package name. */
  packageName?: string;
  /** The raw `tracelet` field, if any. */
  tracelet: Record<string, unknown>;
}

/**
 * Finds the host project's package.json from `cwd` upwards (read-pkg-up, loaded lazily) and
 * returns its `tracelet` field.
 *
 * @param cwd - where to start
 * @returns the host config, or undefined outside any package
 */
export async function readHostConfig(cwd: string): Promise<HostConfig | undefined> {
  const { readPackageUp } = await import("read-pkg-up");
  const found = await readPackageUp({ cwd, normalize: false });
  if (!found) return undefined;
  const field = (found.packageJson as Record<string, unknown>).tracelet;
  const tracelet =
    typeof field === "object" && field !== null && !Array.isArray(field) ? (field as Record<string, unknown>) : {};
  return { root: dirname(found.path), packageName: found.packageJson.name, tracelet };
}
