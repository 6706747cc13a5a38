import { describe, expect, it } from "vitest";
import { engineAdmits } from "../../../../src/plugins/registry/checks/check-engine.js";
import { matchesGlob } from "../../../../src/plugins/registry/checks/glob.js";
import { pathInside } from "../../../../src/plugins/registry/checks/inside-package.js";
import { packageNameOfPnpmId } from "../../../../src/plugins/registry/discovery/pnpm-id.js";

describe("compatibility rules", () => {
  it("admits prereleases inside the engine range, and nothing past it", () => {
    expect(engineAdmits("^1.0.0", "1.0.0")).toBe(true);
    expect(engineAdmits("^1.0.0", "1.1.0-beta.1")).toBe(true);
    expect(engineAdmits("^1.0.0", "2.0.0-rc.1")).toBe(false);
    expect(engineAdmits("^1.2.0", "1.1.9")).toBe(false);
    expect(engineAdmits(">=1.0.0 <1.5.0", "1.5.0-alpha")).toBe(true);
    expect(engineAdmits("^0.9.0", "1.0.0")).toBe(false);
  });

  it("matches package-name globs", () => {
    expect(matchesGlob("@acme/tracelet-gpu", "@acme/*")).toBe(true);
    expect(matchesGlob("@other/tracelet-gpu", "@acme/*")).toBe(false);
    expect(matchesGlob("tracelet-plugin-x", "tracelet-plugin-*")).toBe(true);
    expect(matchesGlob("@acme/x", "*")).toBe(false);
    expect(matchesGlob("@acme/x", "**")).toBe(true);
    expect(matchesGlob("a.b", "a?b")).toBe(true);
    expect(matchesGlob("axb", "a.b")).toBe(false);
  });

  it("keeps manifest paths inside the package", () => {
    expect(pathInside("/pkg", "./dist/x.js")).toBe("/pkg/dist/x.js");
    expect(pathInside("/pkg", "../x.js")).toBeUndefined();
    expect(pathInside("/pkg", "dist/../../x.js")).toBeUndefined();
    expect(pathInside("/pkg", "/etc/passwd")).toBeUndefined();
    expect(pathInside("/pkg", "..\\x.js")).toBeUndefined();
  });

  it("reads package names out of pnpm store ids", () => {
    expect(packageNameOfPnpmId("@scope+name@1.0.0(peer@2.0.0)")).toBe("@scope/name");
    expect(packageNameOfPnpmId("name@1.0.0_peer@2")).toBe("name");
    expect(packageNameOfPnpmId("lock.yaml")).toBeUndefined();
  });
});
