import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { copyFixture, discoverIn } from "./project.js";

describe("the project root", () => {
  it("is the nearest package.json above the working directory", async () => {
    const root = await copyFixture("layouts");
    const fromRoot = await discoverIn(root);
    const { report } = await discoverIn(join(root, "src"));
    expect(report.root).toBe(root);
    expect(report.plugins.map((p) => p.name)).toEqual(fromRoot.report.plugins.map((p) => p.name));
    expect(report.plugins.length).toBeGreaterThan(0);
  });
});
