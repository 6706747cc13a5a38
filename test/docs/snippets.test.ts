import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { transformSync } from "esbuild";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp-dir.js";

/**
 * Every ```ts block of the README and docs/ runs as written, as a user pastes it into a file of
 * a project where `tracelet` is installed. A block that is a part of a program (a class body, an
 * options object, a declaration for a `.d.ts`) says so in an HTML comment right before it:
 * `<!-- snippet: not run (why) -->`.
 */
interface Snippet {
  file: string;
  line: number;
  code: string;
  run: boolean;
}

function snippets(): Snippet[] {
  const files = [
    "README.md",
    ...readdirSync(join(ROOT, "docs"))
      .filter((f) => f.endsWith(".md"))
      .map((f) => `docs/${f}`),
  ];
  const out: Snippet[] = [];
  for (const file of files) {
    const text = readFileSync(join(ROOT, file), "utf8");
    for (const m of text.matchAll(/(<!-- snippet: not run \([^)]+\) -->\n)?```ts\n([\s\S]*?)```/g)) {
      const line = text.slice(0, m.index).split("\n").length;
      out.push({ file, line, code: m[2] as string, run: !m[1] });
    }
  }
  return out;
}

async function project(): Promise<string> {
  const dir = await tempDir();
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(ROOT, join(dir, "node_modules", "tracelet"), "dir");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "user", version: "1.0.0", type: "module" }));
  return dir;
}

describe("the snippets of the README and docs", () => {
  const all = snippets();

  it("are found", () => {
    expect(all.filter((s) => s.file === "README.md").length).toBeGreaterThan(0);
    expect(all.filter((s) => s.file === "docs/getting-started.md" && s.run).length).toBeGreaterThan(0);
  });

  it.each(all.map((s) => [`${s.file}:${s.line}`, s] as const))("%s", async (_where, snippet) => {
    if (!snippet.run) return;
    // Compiled as TypeScript (esbuild: syntax; the types are the type tests' business).
    const js = transformSync(snippet.code, { loader: "ts", format: "esm", target: "node20" }).code;
    const cwd = await project();
    writeFileSync(join(cwd, "snippet.mjs"), js);
    const run = spawnSync(process.execPath, ["snippet.mjs"], {
      cwd,
      encoding: "utf8",
      timeout: 60_000,
      env: { ...process.env, TRACELET_LOG_LEVEL: "error" },
    });
    expect(run.status, `${snippet.file}:${snippet.line}\n${run.stderr}`).toBe(0);
  });
});
