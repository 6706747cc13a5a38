import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

/** Yarn Plug'n'Play's map of a project, as far as discovery needs it. */
export interface PnpTree {
  /** Absolute package directories (some inside zip archives), the project's own excluded. */
  locations: string[];
  /** Those among them that a workspace depends on directly (nearest, for duplicates). */
  direct: Set<string>;
}

type RegistryData = Array<
  [string | null, Array<[string | null, { packageLocation: string; packageDependencies?: Array<[string, unknown]> }]>]
>;

/** The minimal surface of Yarn's `pnpapi` module used here. */
interface PnpApi {
  getDependencyTreeRoots(): Array<{ name: string; reference: string }>;
  getAllLocators(): Array<{ name: string; reference: string }>;
  getPackageInformation(locator: { name: string; reference: string }): {
    packageLocation: string;
    packageDependencies: Map<string, string | [string, string] | null>;
  } | null;
  resolveVirtual?(path: string): string | null;
}

/**
 * Whether the project uses Yarn Plug'n'Play (a `.pnp.cjs` or `.pnp.data.json` at its root).
 *
 * @param root - the project root
 * @returns true under Plug'n'Play
 */
export function isPnpProject(root: string): boolean {
  return existsSync(join(root, ".pnp.cjs")) || existsSync(join(root, ".pnp.data.json"));
}

// `<base>/__virtual__/<hash>/<depth>/<rest>` stands for `<base>/../…(depth times)/<rest>`.
function unvirtual(path: string): string {
  const match = /^(.*)[\\/]__virtual__[\\/][^\\/]+[\\/](\d+)[\\/](.*)$/.exec(path);
  if (!match) return path;
  return resolve(match[1]!, "../".repeat(Number(match[2])), match[3]!);
}

function trimmed(path: string): string {
  return path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
}

// The body of `.pnp.cjs`'s `RAW_RUNTIME_STATE` string literal, unescaped (the file is read, never run).
function inlinedState(source: string): string | undefined {
  const at = source.indexOf("RAW_RUNTIME_STATE");
  if (at === -1) return undefined;
  const quote = source.slice(at).search(/['"`]/);
  if (quote === -1) return undefined;
  const open = at + quote;
  const delimiter = source[open];
  let out = "";
  for (let i = open + 1; i < source.length; i++) {
    const c = source[i]!;
    if (c === delimiter) return out;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const next = source[++i];
    if (next === "\n") continue;
    if (next === "\r") {
      if (source[i + 1] === "\n") i++;
      continue;
    }
    if (next === "n") out += "\n";
    else if (next === "t") out += "\t";
    else if (next === "r") out += "\r";
    else if (next === "u") {
      out += String.fromCharCode(Number.parseInt(source.slice(i + 1, i + 5), 16));
      i += 4;
    } else out += next ?? "";
  }
  return undefined;
}

function registryOf(root: string): RegistryData | undefined {
  let state: string | undefined;
  try {
    state = readFileSync(join(root, ".pnp.data.json"), "utf8");
  } catch {
    try {
      state = inlinedState(readFileSync(join(root, ".pnp.cjs"), "utf8"));
    } catch {
      return undefined;
    }
  }
  if (state === undefined) return undefined;
  try {
    const data = JSON.parse(state) as { packageRegistryData?: RegistryData };
    return Array.isArray(data.packageRegistryData) ? data.packageRegistryData : undefined;
  } catch {
    return undefined;
  }
}

// From the files: every locator's location; what a workspace depends on is direct.
function treeFromFiles(root: string): PnpTree | undefined {
  const registry = registryOf(root);
  if (!registry) return undefined;
  const byLocator = new Map<string, string>();
  const workspaceDeps: Array<[string, unknown]> = [];
  for (const [name, references] of registry) {
    for (const [reference, info] of references) {
      if (typeof info?.packageLocation !== "string") continue;
      if (name === null || reference === null || reference.startsWith("workspace:")) {
        workspaceDeps.push(...(info.packageDependencies ?? []));
      }
      if (name !== null) byLocator.set(`${name}@${reference}`, trimmed(unvirtual(resolve(root, info.packageLocation))));
    }
  }
  const locations = new Set(byLocator.values());
  locations.delete(root);
  const direct = new Set<string>();
  for (const [name, reference] of workspaceDeps) {
    const ref = Array.isArray(reference) ? `${reference[0]}@${reference[1]}` : `${name}@${reference}`;
    const location = byLocator.get(ref);
    if (location !== undefined) direct.add(location);
  }
  return { locations: [...locations].sort(), direct };
}

// Under the Plug'n'Play runtime: ask it (its answers follow whatever the runtime was told).
function treeFromApi(root: string): PnpTree | undefined {
  if (!process.versions.pnp) return undefined;
  let api: PnpApi;
  try {
    api = createRequire(join(root, "package.json"))("pnpapi") as PnpApi;
  } catch {
    return undefined;
  }
  const real = (path: string) => trimmed(unvirtual(api.resolveVirtual?.(path) ?? path));
  const locations = new Set<string>();
  const direct = new Set<string>();
  try {
    for (const locator of api.getAllLocators()) {
      const info = api.getPackageInformation(locator);
      if (info) locations.add(real(info.packageLocation));
    }
    for (const top of api.getDependencyTreeRoots()) {
      for (const [name, ref] of api.getPackageInformation(top)?.packageDependencies ?? []) {
        if (ref === null) continue;
        const locator = Array.isArray(ref) ? { name: ref[0], reference: ref[1] } : { name, reference: ref };
        const info = api.getPackageInformation(locator);
        if (info) direct.add(real(info.packageLocation));
      }
    }
  } catch {
    return undefined;
  }
  locations.delete(root);
  return { locations: [...locations].sort(), direct };
}

/**
 * Every package of a Plug'n'Play project: through the `pnpapi` module when this process runs
 * under Plug'n'Play for this project, else from `.pnp.data.json` or the state inlined in
 * `.pnp.cjs` (read as text: nothing in it runs). Virtual (peer-dependency) locations are
 * mapped to the real ones, so each package appears once.
 *
 * @param root - the project root
 * @returns the packages, or undefined when the map cannot be read
 */
export function pnpTree(root: string): PnpTree | undefined {
  return treeFromApi(root) ?? treeFromFiles(root);
}
