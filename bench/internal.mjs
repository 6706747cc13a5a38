// Benchmarks that time an engine internal (not reachable through the public entry points of
// the bundled dist/) import it through this: the named src/ modules are bundled on the fly into
// one file under bench/.work/internal/, the way dist/ is built, and imported from there.
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

const root = resolve(import.meta.dirname, "..");

/**
 * Where {@link bundleInternals} writes the bundle of a name.
 *
 * @param {string} name - the bundle's name
 * @returns {string} its path
 */
export const internalsPath = (name) => join(root, "bench/.work/internal", `${name}.mjs`);

/**
 * Bundles internals of src/ into one file (for child processes to import).
 *
 * @param {string} name - a name for the bundle (one per bench)
 * @param {Record<string, string>} modules - export name → src/ module path exporting it
 * @returns {Promise<string>} the bundle's path
 */
export async function bundleInternals(name, modules) {
  const outfile = internalsPath(name);
  mkdirSync(dirname(outfile), { recursive: true });
  const contents = Object.entries(modules)
    .map(([symbol, path]) => `export { ${symbol} } from ${JSON.stringify(`./${path}`)};`)
    .join("\n");
  await build({
    absWorkingDir: root,
    stdin: { contents, resolveDir: root, loader: "ts" },
    outfile,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    logLevel: "warning",
  });
  return outfile;
}

/**
 * Bundles and imports internals of src/.
 *
 * @param {string} name - a name for the bundle (one per bench)
 * @param {Record<string, string>} modules - export name → src/ module path exporting it
 * @returns {Promise<Record<string, unknown>>} the module
 */
export async function importInternals(name, modules) {
  return import(pathToFileURL(await bundleInternals(name, modules)).href);
}
