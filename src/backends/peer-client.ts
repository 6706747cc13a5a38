import { createRequire } from "node:module";
import satisfies from "semver/functions/satisfies.js";
import { TraceletError } from "../core/errors.js";

const requireHere = createRequire(import.meta.url);

/**
 * Loads the npm client a built-in backend declares in its metadata's `requires` (an optional
 * peer dependency of tracelet), resolved the way Node resolves it from tracelet's own files.
 *
 * @param plugin - the backend's name, for the message
 * @param name - the npm package
 * @param range - the semver range it needs
 * @returns the package's module
 * @throws TraceletError `TRACELET_ERR_DEPENDENCY_MISSING` (with the `npm install` line) when it is
 *   not installed, `TRACELET_ERR_DEPENDENCY_VERSION` when the installed version is outside `range`
 */
export function requirePeer<T>(plugin: string, name: string, range: string): T {
  const install = `npm install ${name}@"${range}"`;
  let version: string | undefined;
  try {
    version = (requireHere(`${name}/package.json`) as { version?: string }).version;
  } catch (error) {
    throw new TraceletError(
      "TRACELET_ERR_DEPENDENCY_MISSING",
      `Backend "${plugin}" needs the npm package "${name}" ${range}, which is not installed. Run: ${install}`,
      { cause: error, details: { plugin, package: name, range } },
    );
  }
  if (typeof version !== "string" || !satisfies(version, range)) {
    throw new TraceletError(
      "TRACELET_ERR_DEPENDENCY_VERSION",
      `Backend "${plugin}" needs the npm package "${name}" ${range}, and ${version ?? "an unversioned copy"} is installed. Run: ${install}`,
      { details: { plugin, package: name, range, version } },
    );
  }
  return requireHere(name) as T;
}
