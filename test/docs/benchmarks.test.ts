import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script of the bench, without type declarations
import { assembleSections, benchNames, HEADER_END } from "../../bench/assemble.mjs";
import { ROOT } from "../helpers/cli.js";

const DOC = readFileSync(join(ROOT, "docs/benchmarks.md"), "utf8");

describe("docs/benchmarks.md", () => {
  it("is what `npm run bench` would write: each bench's last results, then its notes", () => {
    const end = HEADER_END.exec(DOC);
    expect(end).not.toBeNull();
    const body = DOC.slice((end?.index ?? 0) + (end?.[0].length ?? 0)).trim();
    expect(body).toBe(assembleSections(join(ROOT, "bench")));
  });

  it("has a section for every bench", () => {
    const names: string[] = benchNames(join(ROOT, "bench"));
    expect(names).toEqual(expect.arrayContaining(["backends", "collector", "discovery", "log-metric", "viewer"]));
    for (const name of names) {
      const first = readFileSync(join(ROOT, "bench/results", `${name}.md`), "utf8").split("\n")[0];
      expect(DOC).toContain(first);
    }
  });
});
