import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/temp-dir.js";

const SCRIPT = resolve(import.meta.dirname, "../../scripts/check-cycles.mjs");

// A fake src/ tree: file path → content.
async function check(tree: Record<string, string>): Promise<{ status: number | null; output: string }> {
  const src = join(await tempDir(), "src");
  for (const [path, text] of Object.entries(tree)) {
    mkdirSync(dirname(join(src, path)), { recursive: true });
    writeFileSync(join(src, path), text);
  }
  const run = spawnSync(process.execPath, [SCRIPT, "--src", src], { encoding: "utf8" });
  return { status: run.status, output: run.stdout + run.stderr };
}

const CLEAN = {
  "core/engine.ts": 'import { x } from "./util.js";\nexport const y = x;\n',
  "core/util.ts": "export const x = 1;\n",
  "plugins/registry/registry.ts": 'import { y } from "../../core/engine.js";\nexport const r = y;\n',
  "backends/jsonl/jsonl.ts": 'import { r } from "../../plugins/registry/registry.js";\nexport const j = r;\n',
  "builtins.ts": 'export const load = () => import("./backends/jsonl/jsonl.js");\n',
};

describe("scripts/check-cycles.mjs", () => {
  it("passes a tree that keeps the layers", async () => {
    expect(await check(CLEAN)).toMatchObject({ status: 0 });
  });

  it.each([
    ["src/core importing a built-in", "core/engine.ts", 'import { j } from "../backends/jsonl/jsonl.js";\n'],
    ["src/core importing the composition root", "core/engine.ts", 'import { load } from "../builtins.js";\n'],
    [
      "src/core importing a plugin folder dynamically",
      "core/engine.ts",
      'const m = await import("../plugins/registry/registry.js");\n',
    ],
    [
      "the registry importing a built-in",
      "plugins/registry/registry.ts",
      'import { j } from "../../backends/jsonl/jsonl.js";\n',
    ],
    [
      "the registry importing a built-in dynamically",
      "plugins/registry/registry.ts",
      'export const l = () => import("../../backends/jsonl/jsonl.js");\n',
    ],
    [
      "the registry importing the composition root",
      "plugins/registry/registry.ts",
      'export const l = () => import("../../builtins.js");\n',
    ],
    ["a cycle", "core/util.ts", 'import { y } from "./engine.js";\nexport const x = y;\n'],
  ])("fails on %s", async (_name, file, text) => {
    const result = await check({ ...CLEAN, [file]: text });
    expect(result.status).toBe(1);
    expect(result.output).toContain(file);
  });
});
