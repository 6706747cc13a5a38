import { mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { copyFixture, discoverIn } from "./project.js";

// Strict mode (`discovery: { cache: "strict" }`). Edits that leave every directory as it was: the file is rewritten through the same inode
// (writeFileSync truncates in place), so only the file's own ctime tells.

// A whole second, so that putting it back with utimes restores it exactly.
const PINNED = 1_700_000_000;

async function warm(name: string, pin?: string): Promise<string> {
  const cwd = await copyFixture(name);
  if (pin) utimesSync(join(cwd, pin), PINNED, PINNED);
  expect((await discoverIn(cwd, [], "strict")).report.cache).toBe("miss");
  expect((await discoverIn(cwd, [], "strict")).report.cache).toBe("hit");
  return cwd;
}

/** Rewrites `file` in place; when `sameTimes`, puts its pinned atime and mtime back afterwards. */
function rewriteInPlace(file: string, text: string, sameTimes = false): void {
  const before = statSync(file);
  const dirBefore = statSync(join(file, ".."));
  writeFileSync(file, text);
  if (sameTimes) utimesSync(file, PINNED, PINNED);
  const after = statSync(file);
  // The premise of each test: same inode, unchanged directory.
  expect(after.ino).toBe(before.ino);
  expect(statSync(join(file, "..")).mtimeMs).toBe(dirBefore.mtimeMs);
  if (sameTimes) expect([after.mtimeMs, after.size]).toEqual([before.mtimeMs, before.size]);
}

const pluginField = (name: string) => ({
  engine: "^1.0.0",
  plugins: [{ name, type: "backend", entry: "./index.js" }],
});

describe("discovery cache, strict mode: files edited in place", () => {
  it("notices a non-plugin package.json edited in place to declare a plugin", async () => {
    const cwd = await warm("layouts");
    const file = join(cwd, "node_modules", "plain-lib", "package.json");
    const pkg = JSON.parse(readFileSync(file, "utf8"));
    rewriteInPlace(file, JSON.stringify({ ...pkg, tracelet: pluginField("became-one") }));
    const { report } = await discoverIn(cwd, [], "strict");
    expect(report.cache).toBe("rebuilt");
    expect(report.plugins.map((p) => p.name)).toContain("became-one");
    expect((await discoverIn(cwd, [], "strict")).report.cache).toBe("hit");
  });

  it("notices it even at the same size with the old mtime put back (ctime still moves)", async () => {
    const cwd = await copyFixture("layouts");
    const file = join(cwd, "node_modules", "plain-lib", "package.json");
    const field = JSON.stringify(pluginField("same-size"));
    const padded = (key: string, value: string) =>
      `{"name":"plain-lib","version":"1.0.0","${key}":${value}}`.padEnd(400, " ");
    writeFileSync(file, padded("description", JSON.stringify("x".repeat(field.length - 2))));
    utimesSync(file, PINNED, PINNED);
    expect((await discoverIn(cwd, [], "strict")).report.cache).toBe("miss");
    expect((await discoverIn(cwd, [], "strict")).report.cache).toBe("hit");
    rewriteInPlace(file, padded("tracelet", field), true);
    const { report } = await discoverIn(cwd, [], "strict");
    expect(report.cache).toBe("rebuilt");
    expect(report.plugins.map((p) => p.name)).toContain("same-size");
  });

  it("notices a plugin's package.json edited in place, same size, old mtime put back", async () => {
    const cwd = await warm("layouts", "node_modules/tracelet-plugin-alpha/package.json");
    const file = join(cwd, "node_modules", "tracelet-plugin-alpha", "package.json");
    const text = readFileSync(file, "utf8");
    const version = JSON.parse(text).version as string;
    const bumped = version.replace(/\d$/, (d) => String((Number(d) + 1) % 10));
    rewriteInPlace(file, text.replace(`"version": "${version}"`, `"version": "${bumped}"`), true);
    const { report, manager } = await discoverIn(cwd, [], "strict");
    expect(report.cache).toBe("rebuilt");
    expect(manager.getPlugin("backend", "alpha")?.packageVersion).toBe(bumped);
  });

  it("picks up a schema file edited in place, same size, old mtime put back (the cache is rebuilt)", async () => {
    const cwd = await warm("refusals", "node_modules/schema-file/schema.json");
    const file = join(cwd, "node_modules", "schema-file", "schema.json");
    const text = readFileSync(file, "utf8");
    const edited = JSON.stringify({ type: "object", required: ["tok"] });
    rewriteInPlace(file, edited.padEnd(Math.max(text.length, edited.length), " "), true);
    const { report, manager } = await discoverIn(cwd);
    expect(report.cache).toBe("rebuilt");
    expect(report.cacheReason).toBe(`plugin package file ${file} changed`);
    expect(manager.getPlugin("backend", "with-schema")?.configSchema).toEqual({ type: "object", required: ["tok"] });
  });

  it("notices a package.json appearing in a package directory that had none", async () => {
    const cwd = await copyFixture("layouts");
    const dir = join(cwd, "node_modules", "half-installed");
    mkdirSync(dir);
    writeFileSync(join(dir, "index.js"), "export default class {}\n");
    expect((await discoverIn(cwd, [], "strict")).report.cache).toBe("miss");
    expect((await discoverIn(cwd, [], "strict")).report.cache).toBe("hit");
    const modulesBefore = statSync(join(cwd, "node_modules")).mtimeMs;
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "half-installed", tracelet: pluginField("late") }));
    expect(statSync(join(cwd, "node_modules")).mtimeMs).toBe(modulesBefore);
    const { report } = await discoverIn(cwd, [], "strict");
    expect(report.cache).toBe("rebuilt");
    expect(report.plugins.map((p) => p.name)).toContain("late");
  });
});

describe("discovery cache, default mode: files edited in place", () => {
  it("does not notice a non-plugin package.json edited by hand (documented; strict mode does)", async () => {
    const cwd = await copyFixture("layouts");
    expect((await discoverIn(cwd)).report.cache).toBe("miss");
    const file = join(cwd, "node_modules", "plain-lib", "package.json");
    const pkg = JSON.parse(readFileSync(file, "utf8"));
    rewriteInPlace(file, JSON.stringify({ ...pkg, tracelet: pluginField("became-one") }));
    const { report } = await discoverIn(cwd);
    expect(report.cache).toBe("hit");
    expect(report.cacheMode).toBe("default");
    expect(report.plugins.map((p) => p.name)).not.toContain("became-one");
    const strict = (await discoverIn(cwd, [], "strict")).report;
    expect([strict.cache, strict.cacheMode]).toEqual(["rebuilt", "strict"]);
    expect(strict.plugins.map((p) => p.name)).toContain("became-one");
  });

  it("notices a plugin package's package.json edited in place, same size, old mtime put back", async () => {
    const cwd = await copyFixture("layouts");
    const file = join(cwd, "node_modules", "tracelet-plugin-alpha", "package.json");
    utimesSync(file, PINNED, PINNED);
    expect((await discoverIn(cwd)).report.cache).toBe("miss");
    const text = readFileSync(file, "utf8");
    rewriteInPlace(file, text.replace('"^1.0.0"', '"^9.0.0"'), true);
    const { report } = await discoverIn(cwd);
    expect(report.cache).toBe("rebuilt");
    expect(report.cacheReason).toContain(file);
    expect(report.problems.map((p) => p.code)).toContain("TRACELET_ERR_ENGINE_INCOMPATIBLE");
  });
});
