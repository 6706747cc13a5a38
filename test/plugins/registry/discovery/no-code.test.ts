import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { instantiate } from "../../../../src/plugins/registry/instantiate.js";
import { copyFixture, discoverIn } from "./project.js";

describe("discovery runs no plugin code", () => {
  it("reads the manifest of a module that writes a file at import time without importing it", async () => {
    const cwd = await copyFixture("side-effects");
    const pkg = join(cwd, "node_modules", "tracelet-plugin-loud");
    const marker = join(pkg, "imported.marker");
    const cold = await discoverIn(cwd);
    const warm = await discoverIn(cwd);
    expect(cold.report.cache).toBe("miss");
    expect(warm.report.cache).toBe("hit");
    expect(warm.manager.getPlugin("backend", "loud")?.state).toBe("available");
    expect(existsSync(marker)).toBe(false);

    // Activation does import it: the marker really detects an import.
    const instance = await instantiate(warm.manager.resolve("loud", "backend"));
    expect(typeof (instance as { logMetric?: unknown }).logMetric).toBe("function");
    expect(existsSync(marker)).toBe(true);
  });
});
