const cache = new Map<string, RegExp>();

/**
 * Whether a package name matches a glob: `*` matches within one segment (not `/`), `**`
 * matches anything, `?` one character. `@acme/*` matches every package of the `@acme` scope.
 *
 * @param name - package name
 * @param glob - the pattern
 * @returns true on a match
 * @example
 * ```ts
 * matchesGlob("@acme/tracelet-gpu", "@acme/*"); // true
 * ```
 */
export function matchesGlob(name: string, glob: string): boolean {
  let re = cache.get(glob);
  if (!re) {
    let source = "";
    for (let i = 0; i < glob.length; i++) {
      const ch = glob[i]!;
      if (ch === "*" && glob[i + 1] === "*") {
        source += ".*";
        i++;
      } else if (ch === "*") source += "[^/]*";
      else if (ch === "?") source += "[^/]";
      else source += ch.replace(/[.+^${}()|[\]\\]/g, "\\$&");
    }
    re = new RegExp(`^${source}$`);
    cache.set(glob, re);
  }
  return re.test(name);
}
