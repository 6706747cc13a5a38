import { realpathSync } from "node:fs";
import { isAbsolute, join, normalize, sep } from "node:path";

/**
 * Resolves a path declared in a manifest and checks that it stays inside the package, also
 * after following symlinks. A file that does not exist yet passes on its lexical form (its
 * absence is reported when it is loaded).
 *
 * @param dir - real path of the package directory
 * @param declared - the path as written in the manifest
 * @returns the resolved path, or undefined when it escapes the package
 */
export function pathInside(dir: string, declared: string): string | undefined {
  const lexical = normalize(declared.replaceAll("\\", "/"));
  if (isAbsolute(declared) || isAbsolute(lexical) || lexical === ".." || lexical.startsWith(`..${sep}`))
    return undefined;
  if (lexical.split(sep).includes("..")) return undefined;
  const target = join(dir, lexical);
  let real: string;
  try {
    real = realpathSync.native(target);
  } catch {
    return target;
  }
  return real === dir || real.startsWith(dir + sep) ? real : undefined;
}
