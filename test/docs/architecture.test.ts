import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";

const DOC = readFileSync(join(ROOT, "docs/architecture.md"), "utf8");

// Every path under src/ the page mentions (in prose, tables and diagrams).
const named = [...new Set([...DOC.matchAll(/\bsrc\/[\w./-]*/g)].map((m) => m[0].replace(/[.,]+$/, "")))];

function folders(dir: string): string[] {
  return readdirSync(join(ROOT, dir))
    .filter((name) => statSync(join(ROOT, dir, name)).isDirectory())
    .flatMap((name) => [`${dir}/${name}`, ...folders(`${dir}/${name}`)]);
}

describe("docs/architecture.md", () => {
  it("names only paths that exist", () => {
    expect(named.length).toBeGreaterThan(30);
    expect(named.filter((path) => !existsSync(join(ROOT, path)))).toEqual([]);
  });

  it("names every folder of src/ (as `src/<folder>/`)", () => {
    expect(folders("src").filter((dir) => !DOC.includes(`\`${dir}/\``))).toEqual([]);
  });
});
