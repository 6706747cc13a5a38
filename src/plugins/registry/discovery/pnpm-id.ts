/**
 * The package name inside a pnpm store entry name: `@scope+name@1.0.0(peer@2.0.0)` →
 * `@scope/name`, `name@1.0.0_peer@2` → `name`.
 *
 * @param id - a directory name under `node_modules/.pnpm`
 * @returns the package name, or undefined when the id has no recognisable name
 */
export function packageNameOfPnpmId(id: string): string | undefined {
  const at = id.indexOf("@", 1);
  if (at <= 0) return undefined;
  const name = id.slice(0, at);
  if (name.startsWith("@")) {
    const plus = name.indexOf("+");
    return plus > 1 ? `${name.slice(0, plus)}/${name.slice(plus + 1)}` : undefined;
  }
  return name;
}
