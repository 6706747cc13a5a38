// The real-world tree of bench/discovery and of its test: a Docusaurus documentation site with
// its usual tooling (1,545 packages, pinned by real-tree/package-lock.json), installed from the
// npm registry with `npm ci` into bench/.work/real-tree (git-ignored) once, then the two plugin
// packages of real-tree/plugins/ installed into it as copies (as a registry package would be).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, "real-tree");
/** Where the tree is installed. */
export const REAL_TREE = join(here, "..", ".work", "real-tree");
/** The plugins the tree holds, by plugin name. */
export const REAL_TREE_PLUGINS = ["build-timer", "docs-metrics"];

function run(args, cwd) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^npm_/i.test(k)) delete env[k];
  execFileSync("npm", args, { cwd, env: { ...env, CI: "" }, stdio: ["ignore", "ignore", "inherit"] });
}

function sourceHash() {
  const hash = createHash("sha256");
  for (const file of ["package.json", "package-lock.json", ".npmrc"]) hash.update(readFileSync(join(source, file)));
  for (const dir of ["tracelet-plugin-docs-metrics", "tracelet-plugin-build-timer"]) {
    hash.update(readFileSync(join(source, "plugins", dir, "package.json")));
  }
  return hash.digest("hex");
}

// One process at a time installs (the bench and a test may start together).
function withLock(fn) {
  const lock = `${REAL_TREE}.lock`;
  mkdirSync(dirname(lock), { recursive: true });
  const deadline = Date.now() + 20 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Installs the real-world tree unless the installed one is current.
 *
 * @returns its root
 */
export function ensureRealTree() {
  return withLock(() => {
    const stamp = join(REAL_TREE, ".installed");
    const want = sourceHash();
    if (existsSync(stamp) && readFileSync(stamp, "utf8") === want) return REAL_TREE;
    rmSync(REAL_TREE, { recursive: true, force: true });
    mkdirSync(REAL_TREE, { recursive: true });
    for (const file of ["package.json", "package-lock.json", ".npmrc"])
      cpSync(join(source, file), join(REAL_TREE, file));
    cpSync(join(source, "plugins"), join(REAL_TREE, "plugins"), { recursive: true });
    run(["ci", "--ignore-scripts", "--no-audit", "--no-fund"], REAL_TREE);
    // Copies, not links (npm links a directory dependency by default).
    run(
      [
        "install",
        "--no-save",
        "--ignore-scripts",
        "--install-links",
        "--no-audit",
        "--no-fund",
        "./plugins/tracelet-plugin-docs-metrics",
        "./plugins/tracelet-plugin-build-timer",
      ],
      REAL_TREE,
    );
    writeFileSync(stamp, want);
    return REAL_TREE;
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(ensureRealTree());
