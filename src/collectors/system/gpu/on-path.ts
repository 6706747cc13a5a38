import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/**
 * Whether a bare command name is certainly missing from `PATH` (POSIX only): a few `access()`
 * calls instead of forking a child just to see it fail with ENOENT, on every machine without a GPU.
 *
 * @param command - the executable, a bare name or a path
 * @returns true only when no `PATH` directory holds an executable of that name; false when it
 *   might be there (a path, Windows, or found)
 */
export function missingFromPath(command: string): boolean {
  if (process.platform === "win32" || command.includes("/")) return false;
  const dirs = (process.env.PATH ?? "").split(delimiter).filter(Boolean);
  if (dirs.length === 0) return false;
  for (const dir of dirs) {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return false;
    } catch {
      // Not in this directory.
    }
  }
  return true;
}
