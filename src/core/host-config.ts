import { dirname, join, resolve } from "node:path";
import { TraceletError } from "./errors.js";
import { readRegularFile } from "./util/read-regular-file.js";

/** The largest host package.json read, in bytes (a monorepo root's is far smaller). */
const MAX_HOST_PACKAGE_BYTES = 16 * 1024 * 1024;

/** The host project's `tracelet` field and where its package.json is. */
export interface HostConfig {
  /** Directory of the host package.json (the project root). */
  root: string;
  /** The host's package name. */
  packageName?: string;
  /** The raw `tracelet` field, if any. */
  tracelet: Record<string, unknown>;
}

function hostConfig(path: string, pkg: unknown): HostConfig {
  const json = (typeof pkg === "object" && pkg !== null ? pkg : {}) as Record<string, unknown>;
  const field = json.tracelet;
  const tracelet =
    typeof field === "object" && field !== null && !Array.isArray(field) ? (field as Record<string, unknown>) : {};
  return { root: dirname(path), packageName: typeof json.name === "string" ? json.name : undefined, tracelet };
}

// The nearest package.json that does not parse: read-pkg-up (loaded only then) says why, precisely.
async function explainMalformed(cwd: string, path: string, cause: unknown): Promise<never> {
  let reason = cause;
  try {
    const { readPackageUp } = await import("read-pkg-up");
    await readPackageUp({ cwd, normalize: false });
  } catch (error) {
    reason = error;
  }
  throw new TraceletError("TRACELET_ERR_MANIFEST_INVALID", `The host package.json at ${path} is not valid JSON.`, {
    cause: reason,
    details: { path },
  });
}

/** The nearest package.json above a directory, as read. */
export interface NearestPackageJson {
  /** Its path. */
  path: string;
  /** Its text; undefined when it is larger than 16 MiB (not read). */
  text: string | undefined;
}

/**
 * Finds the nearest readable package.json from `cwd` upwards, as read-pkg-up does. Synchronous:
 * a few small reads cost less than their thread-pool round trips at start-up. Only a regular
 * file counts, opened without blocking: a FIFO, a device or a directory named package.json is
 * passed over (a FIFO would otherwise freeze the process), and a file over 16 MiB is not read.
 *
 * @param cwd - where to start
 * @returns its path and text, or undefined outside any package
 * @example
 * ```ts
 * const found = nearestPackageJson(process.cwd());
 * ```
 */
export function nearestPackageJson(cwd: string): NearestPackageJson | undefined {
  for (let dir = resolve(cwd); ; ) {
    const path = join(dir, "package.json");
    const read = readRegularFile(path, MAX_HOST_PACKAGE_BYTES);
    if (read.kind === "text") return { path, text: read.text };
    if (read.kind === "too-large") return { path, text: undefined };
    // none here (or a directory, FIFO or device of that name): keep walking up
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Finds the host project's package.json from `cwd` upwards, exactly as read-pkg-up does (the
 * nearest one), and returns its `tracelet` field. The common case is a plain read and
 * `JSON.parse`; read-pkg-up is imported only to explain a malformed file, so a run does not pay
 * for loading it.
 *
 * @param cwd - where to start
 * @returns the host config, or undefined outside any package
 * @throws TraceletError `TRACELET_ERR_MANIFEST_INVALID` when the nearest package.json is malformed
 *   or larger than 16 MiB
 */
export async function readHostConfig(cwd: string): Promise<HostConfig | undefined> {
  const found = nearestPackageJson(cwd);
  if (!found) return undefined;
  if (found.text === undefined) {
    throw new TraceletError(
      "TRACELET_ERR_MANIFEST_INVALID",
      `The host package.json at ${found.path} is larger than ${MAX_HOST_PACKAGE_BYTES} bytes.`,
      { details: { path: found.path } },
    );
  }
  try {
    return hostConfig(found.path, JSON.parse(found.text));
  } catch (error) {
    return explainMalformed(dirname(found.path), found.path, error);
  }
}
