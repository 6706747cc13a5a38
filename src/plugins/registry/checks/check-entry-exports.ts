import { dirname, extname, join } from "node:path";
import { init as initCjs, parse as parseCjs } from "cjs-module-lexer";
import { init as initEsm, parse as parseEsm } from "es-module-lexer";
import { readPackageFile } from "../discovery/package-file.js";
import type { DiscoveryProblem } from "../plugin-record.js";
import { pathInside } from "./inside-package.js";

/** What {@link checkEntryExports} needs of a discovered plugin. */
export interface EntryToCheck {
  /** Plugin name. */
  name: string;
  /** Its package's name. */
  packageName?: string;
  /** Real path of the package directory (may run through a `.zip`). */
  dir: string;
  /** `entry`, relative to the package. */
  entry: string;
  /** The named export that must hold the plugin class. */
  exportName: string;
}

// Source files larger than this are not lexed (no plugin entry is this big).
const MAX_SOURCE_BYTES = 4 * 1024 * 1024;
// `export * from` / `module.exports = require()` chains followed at most this deep.
const MAX_DEPTH = 16;

// `ambiguous`: a .js file under a package.json without "type"; Node (20.19 and later) then
// detects the format from the syntax.
type Format = "esm" | "cjs" | "ambiguous";

// What a module exports, as far as the lexers can tell; `open` when a re-export leaves the package
// or cannot be followed (then a missing name cannot be called missing).
interface Names {
  names: Set<string>;
  open: boolean;
}

function readText(file: string): string | undefined {
  const read = readPackageFile(file, MAX_SOURCE_BYTES);
  return read.kind === "text" ? read.text : undefined;
}

// The module format Node gives a file: by extension, else the nearest package.json's "type"
// (looked for no higher than the package directory).
function formatOf(file: string, packageDir: string): Format {
  const ext = extname(file);
  if (ext === ".mjs" || ext === ".mts") return "esm";
  if (ext === ".cjs" || ext === ".cts") return "cjs";
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const text = readText(join(dir, "package.json"));
    if (text !== undefined) {
      try {
        const type = (JSON.parse(text) as { type?: unknown }).type;
        return type === "module" ? "esm" : type === "commonjs" ? "cjs" : "ambiguous";
      } catch {
        return "cjs";
      }
    }
    if (dir === packageDir || !dir.startsWith(packageDir) || dirname(dir) === dir) return "ambiguous";
  }
}

// A relative specifier resolved inside the package the way Node would: ESM takes the path as
// written; require() also tries the usual extensions and index files.
function resolveRelative(
  from: string,
  specifier: string,
  format: "esm" | "cjs",
  packageDir: string,
): string | undefined {
  if (!specifier.startsWith("./") && !specifier.startsWith("../")) return undefined;
  const base = join(dirname(from), specifier);
  const tries = format === "esm" ? [base] : [base, `${base}.js`, `${base}.cjs`, `${base}.json`, join(base, "index.js")];
  for (const file of tries) {
    if (!file.startsWith(`${packageDir}/`)) return undefined;
    if (readPackageFile(file, MAX_SOURCE_BYTES).kind !== "absent") return file;
  }
  return undefined;
}

function namesOf(file: string, packageDir: string, depth: number, seen: Set<string>): Names | string {
  const source = readText(file);
  if (source === undefined) return `${file} cannot be read`;
  if (seen.has(file) || depth > MAX_DEPTH) return { names: new Set(), open: false };
  seen.add(file);
  const format = file.endsWith(".json") ? "cjs" : formatOf(file, packageDir);
  const names = new Set<string>();
  let open = false;
  // Adds a re-exported module's names; returns whether it may hold names the lexers cannot see.
  const follow = (specifier: string, as: "esm" | "cjs"): boolean => {
    const target = resolveRelative(file, specifier, as, packageDir);
    const inner = target === undefined ? undefined : namesOf(target, packageDir, depth + 1, seen);
    if (inner === undefined || typeof inner === "string") {
      open = true;
      return true;
    }
    for (const n of inner.names) if (as === "cjs" || n !== "default") names.add(n);
    open ||= inner.open;
    return inner.open;
  };
  if (file.endsWith(".json")) return { names: new Set(["default"]), open: false };
  if (format !== "cjs") {
    let parsed: ReturnType<typeof parseEsm> | undefined;
    try {
      parsed = parseEsm(source, file);
    } catch (error) {
      if (format === "esm") {
        return `${file} does not parse as an ES module (${(error as Error).message.slice(0, 120)})`;
      }
    }
    if (parsed && (format === "esm" || parsed[3])) return esmNames(parsed, source, names, follow, open);
  }
  let parsed: ReturnType<typeof parseCjs>;
  try {
    parsed = parseCjs(source, file);
  } catch (error) {
    return `${file} does not parse as a CommonJS module (${(error as Error).message.slice(0, 120)})`;
  }
  // Imported from an ES module, a CommonJS module's `module.exports` is its default export.
  names.add("default");
  for (const n of parsed.exports) names.add(n);
  for (const r of parsed.reexports) follow(r, "cjs");
  return { names, open };
}

function esmNames(
  parsed: ReturnType<typeof parseEsm>,
  source: string,
  names: Set<string>,
  follow: (specifier: string, as: "esm") => boolean,
  open: boolean,
): Names {
  const [imports, exports] = parsed;
  let reexportOpen = open;
  for (const e of exports) names.add(e.n);
  for (const i of imports) {
    // `export * from "x"`: its names, except its default, are this module's too.
    if (i.t === 1 && i.n !== undefined && /^export\s*\*\s*from/.test(source.slice(i.ss, i.se))) {
      reexportOpen = follow(i.n, "esm") || reexportOpen;
    }
  }
  return { names, open: reexportOpen };
}

let ready: Promise<void> | undefined;

/**
 * Checks, without running it, that a plugin's entry file exists and has its named export: the
 * source is read (from disk or a zip archive) and lexed with `es-module-lexer` (ES modules) or
 * `cjs-module-lexer` (CommonJS, the lexer Node uses to find a CommonJS module's named exports),
 * following `export * from` and `module.exports = require()` inside the package. A name that a
 * re-export from outside the package might provide is not reported.
 *
 * @param plugin - the plugin's package directory, entry and export
 * @returns a `TRACELET_ERR_LOAD_FAILED` problem, or undefined when the export is there (or may be)
 * @example
 * ```ts
 * await checkEntryExports({ name: "x", dir: "/p/node_modules/x", entry: "./dist/x.js", exportName: "XBackend" });
 * ```
 */
export async function checkEntryExports(plugin: EntryToCheck): Promise<DiscoveryProblem | undefined> {
  ready ??= Promise.all([initEsm, initCjs()]).then(() => undefined);
  await ready;
  const problem = (reason: string): DiscoveryProblem => ({
    code: "TRACELET_ERR_LOAD_FAILED",
    message: `Plugin "${plugin.name}"${plugin.packageName ? ` of package ${plugin.packageName}` : ""}: ${reason}.`,
    ...(plugin.packageName ? { packageName: plugin.packageName } : {}),
    pluginName: plugin.name,
    path: plugin.dir,
  });
  const file = pathInside(plugin.dir, plugin.entry);
  if (file === undefined) return problem(`entry "${plugin.entry}" resolves outside ${plugin.dir}`);
  if (readPackageFile(file, MAX_SOURCE_BYTES).kind === "absent") return problem(`entry ${file} is missing`);
  const found = namesOf(file, plugin.dir, 0, new Set());
  if (typeof found === "string") return problem(found);
  if (found.names.has(plugin.exportName) || found.open) return undefined;
  const has = [...found.names].sort().slice(0, 10);
  return problem(
    `${file} has no export "${plugin.exportName}" (it exports ${has.length ? has.map((n) => `"${n}"`).join(", ") : "nothing"})`,
  );
}
