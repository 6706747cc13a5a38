import { describe, expect, it } from "vitest";
import { createLogger } from "../../../src/core/logger.js";
import { BackendPlugin, PluginManager } from "../../../src/index.js";

function backendNamed(name: string) {
  return class extends BackendPlugin {
    static metadata = { name, type: "backend" as const };
    logMetric() {}
  };
}

describe("registerPlugin", () => {
  const manager = () => new PluginManager({ logger: createLogger({ level: "silent" }) });

  it.each(["..", "../evil", "a/b", "Upper", "", " x", "x y", ".hidden", "@scope/../x", "x".repeat(215)])(
    "refuses the name %j with TRACELET_ERR_MANIFEST_INVALID",
    (name) => {
      expect(() => manager().registerPlugin(backendNamed(name))).toThrow(
        expect.objectContaining({ code: "TRACELET_ERR_MANIFEST_INVALID" }),
      );
    },
  );

  it("refuses an invalid name given as explicit metadata too", () => {
    expect(() => manager().registerPlugin(backendNamed("ok"), { name: ".." })).toThrow(
      expect.objectContaining({ code: "TRACELET_ERR_MANIFEST_INVALID" }),
    );
  });

  it.each(["memory2", "my-backend", "a.b_c-d", "@acme/tracker", "0x"])("accepts the name %j", (name) => {
    const m = manager();
    m.registerPlugin(backendNamed(name));
    expect(m.getPlugin("backend", name)?.state).toBe("available");
  });
});

describe("registerLazyPlugin", () => {
  it("refuses an invalid name with TRACELET_ERR_MANIFEST_INVALID", () => {
    const manager = new PluginManager({ logger: createLogger({ level: "silent" }) });
    expect(() => manager.registerLazyPlugin({ name: "../x", type: "backend" }, async () => backendNamed("x"))).toThrow(
      expect.objectContaining({ code: "TRACELET_ERR_MANIFEST_INVALID" }),
    );
  });
});
