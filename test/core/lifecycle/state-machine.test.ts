import { describe, expect, it } from "vitest";
import { assertTransition, canTransition, TRANSITIONS } from "../../../src/core/lifecycle/state-machine.js";
import { isTraceletError, type PluginState } from "../../../src/index.js";

const STATES = Object.keys(TRANSITIONS) as PluginState[];

describe("the plugin state machine", () => {
  it("allows the normal life of a plugin", () => {
    const path: PluginState[] = ["available", "loaded", "initialized", "started", "stopping", "stopped", "loaded"];
    for (let i = 1; i < path.length; i++) expect(canTransition(path[i - 1]!, path[i]!)).toBe(true);
  });

  it("refuses every transition not in the table, with TRACELET_ERR_ILLEGAL_TRANSITION naming both states", () => {
    let refused = 0;
    for (const from of STATES) {
      for (const to of STATES) {
        if (from === to || TRANSITIONS[from].includes(to)) continue;
        refused++;
        try {
          assertTransition("p", from, to);
          throw new Error(`${from} → ${to} was allowed`);
        } catch (error) {
          expect(isTraceletError(error)).toBe(true);
          expect((error as { code: string }).code).toBe("TRACELET_ERR_ILLEGAL_TRANSITION");
          expect((error as Error).message).toContain(`"${from}" to "${to}"`);
        }
      }
    }
    expect(refused).toBeGreaterThan(30);
    expect(canTransition("available", "started")).toBe(false);
    expect(canTransition("stopped", "started")).toBe(false);
    expect(canTransition("quarantined", "started")).toBe(false);
  });
});
