// Builds a synthetic project with `count` packages (~1 % of them Tracelet plugins) whose
// package.json files look like real ones (1–3 KB; about 30 % declare no dependencies), with
// scoped packages and some nesting.
// layout "hoisted" is npm's; "pnpm" puts real packages in node_modules/.pnpm/<id>/node_modules/<name>
// and links a tenth of them at the top level.
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const WORDS =
  "alpha beta gamma delta core util parse stream fast tiny json yaml http cache path glob color time log test".split(
    " ",
  );

function packageJson(name, random, plugin, noDeps) {
  const word = () => WORDS[Math.floor(random() * WORDS.length)];
  const deps = {};
  const depCount = 3 + Math.floor(random() * 12);
  for (let i = 0; i < depCount; i++) deps[`${word()}-${word()}-${i}`] = `^${1 + Math.floor(random() * 9)}.${i}.0`;
  const pkg = {
    name,
    version: `${1 + Math.floor(random() * 5)}.${Math.floor(random() * 20)}.${Math.floor(random() * 10)}`,
    description: `A ${word()} ${word()} library for ${word()} ${word()} handling in Node.js applications.`,
    keywords: Array.from({ length: 4 + Math.floor(random() * 6) }, word),
    homepage: `https://github.com/example/${name.replace("/", "-")}#readme`,
    bugs: { url: `https://github.com/example/${name.replace("/", "-")}/issues` },
    repository: { type: "git", url: `git+https://github.com/example/${name.replace("/", "-")}.git` },
    license: "MIT",
    author: { name: `${word()} ${word()}`, email: `${word()}@example.com` },
    main: "index.js",
    types: "index.d.ts",
    files: ["index.js", "index.d.ts", "lib"],
    engines: { node: ">=18" },
    scripts: { test: "node --test", build: "tsc -p .", lint: `eslint . --ext .js,.ts --max-warnings 0 # ${word()}` },
    dependencies: deps,
    devDependencies: { typescript: "^5.4.0", eslint: "^8.57.0", [`${word()}-types`]: "^1.0.0" },
    _resolved: `https://registry.npmjs.org/${name}/-/${name.split("/").pop()}-1.0.0.tgz`,
    _integrity: `sha512-${Buffer.from(name.repeat(8)).toString("base64").slice(0, 86)}==`,
  };
  // About a third of real packages declare no dependencies at all.
  if (noDeps) {
    delete pkg.dependencies;
    delete pkg.devDependencies;
  }
  if (plugin) {
    pkg.tracelet = {
      engine: "^1.0.0",
      plugins: [{ name: `bench-${name.replace(/[@/]/g, "")}`, type: "backend", entry: "./index.js", export: "B" }],
    };
  }
  // Grow into the 1–3 KB band real package.json files occupy the way real ones do: many small
  // fields (an exports map, contributors), not one long string.
  const target = 1024 + Math.floor(random() * 2048);
  let text = JSON.stringify(pkg, null, 2);
  for (let i = 0; text.length < target; i++) {
    if (i % 3 === 2) {
      pkg.contributors ??= [];
      pkg.contributors.push({ name: `${word()} ${word()}`, email: `${word()}${i}@example.com` });
    } else {
      pkg.exports ??= { ".": { types: "./index.d.ts", import: "./index.mjs", require: "./index.js" } };
      pkg.exports[`./${word()}-${i}`] = { types: `./lib/${word()}-${i}.d.ts`, default: `./lib/${word()}-${i}.js` };
    }
    text = JSON.stringify(pkg, null, 2);
  }
  return text;
}

function writePackage(dir, name, random, plugin, noDeps = false) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), packageJson(name, random, plugin, noDeps));
  writeFileSync(join(dir, "index.js"), "export class B {}\n");
}

/**
 * @param {string} root - project directory (emptied first)
 * @param {{ count: number, layout: "hoisted" | "pnpm", seed?: number }} options
 * @returns {{ plugins: number }}
 */
export function generateProject(root, { count, layout, seed = 42 }) {
  rmSync(root, { recursive: true, force: true });
  mkdirSync(join(root, "node_modules"), { recursive: true });
  writeFileSync(join(root, "package.json"), JSON.stringify({ name: "bench-host", version: "1.0.0" }));
  const random = rng(seed);
  let plugins = 0;
  let lastHoisted = "";
  for (let i = 0; i < count; i++) {
    const scoped = random() < 0.25;
    const name = scoped ? `@scope${i % 40}/pkg-${i}` : `pkg-${i}`;
    const plugin = i % 100 === 7;
    if (plugin) plugins++;
    if (layout === "pnpm") {
      const id = `${name.replace("/", "+")}@1.0.0`;
      const real = join(root, "node_modules", ".pnpm", id, "node_modules", name);
      writePackage(real, name, random, plugin);
      if (i % 10 === 0) {
        const link = join(root, "node_modules", name);
        mkdirSync(dirname(link), { recursive: true });
        symlinkSync(relative(dirname(link), real), link, "dir");
      }
    } else if (i % 20 === 3 && lastHoisted) {
      // Nested inside an earlier package, as npm leaves a conflicting version.
      writePackage(join(root, "node_modules", lastHoisted, "node_modules", name), name, random, plugin);
    } else {
      const noDeps = random() < 0.3;
      writePackage(join(root, "node_modules", name), name, random, plugin, noDeps);
      // npm nests a package only under one that depends on it.
      if (!noDeps) lastHoisted = name;
    }
  }
  return { plugins };
}
