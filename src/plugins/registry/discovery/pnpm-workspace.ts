import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The `packages` patterns of a pnpm workspace (`pnpm-workspace.yaml` at the project root), read
 * as the simple YAML list pnpm documents (`packages:` then `  - 'pattern'` lines); anything else
 * in the file is ignored.
 *
 * @param root - the project root
 * @returns the patterns (with `!` exclusions as written), or an empty list
 * @example
 * ```ts
 * pnpmWorkspacePatterns("/repo"); // ["packages/*", "!packages/legacy"]
 * ```
 */
export function pnpmWorkspacePatterns(root: string): string[] {
  let text: string;
  try {
    text = readFileSync(join(root, "pnpm-workspace.yaml"), "utf8");
  } catch {
    return [];
  }
  const patterns: string[] = [];
  let inPackages = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+#.*$/, "");
    if (/^\S/.test(line)) {
      inPackages = /^packages\s*:\s*$/.test(line);
      continue;
    }
    const item = inPackages ? /^\s+-\s+(['"]?)(.+?)\1\s*$/.exec(line) : null;
    if (item) patterns.push(item[2]!);
  }
  return patterns;
}
