import { describe, expectTypeOf, it } from "vitest";
import {
  type BackendName,
  type CollectorName,
  PluginManager,
  type StartExperimentOptions,
  startExperiment,
} from "../../src/index.js";

// A third-party plugin package extends the interfaces from its own .d.ts, as this does.
declare module "../../src/index.js" {
  interface BackendConfigs {
    csv: { path: string; delimiter?: string };
  }
}

describe("typed configuration", () => {
  it("names the built-in plugins and the ones packages declare", () => {
    expectTypeOf<"jsonl">().toMatchTypeOf<BackendName>();
    expectTypeOf<"csv">().toMatchTypeOf<BackendName>();
    expectTypeOf<"system" | "process" | "git" | "environment">().toMatchTypeOf<CollectorName>();
  });

  it("refuses a misspelt plugin name", () => {
    // @ts-expect-error "jsnol" is not a backend
    void startExperiment({ backends: ["jsnol"] });
    // @ts-expect-error "system" is a collector, not a backend
    void startExperiment({ backends: ["system"] });
    // @ts-expect-error "sytem" is not a collector
    void startExperiment({ collectors: ["sytem"] });
    void startExperiment({ backends: ["jsonl", "csv"], collectors: ["system"] });
  });

  it("refuses an unknown config key and a value of the wrong type", () => {
    // @ts-expect-error the jsonl backend has no "dirr"
    void startExperiment({ plugins: { jsonl: { dirr: "x" } } });
    // @ts-expect-error intervalMs is a number
    void startExperiment({ plugins: { system: { intervalMs: "5000" } } });
    // @ts-expect-error the csv backend's path is required
    void startExperiment({ plugins: { csv: { delimiter: ";" } } });
    // @ts-expect-error no plugin is named "jsnol"
    void startExperiment({ plugins: { jsnol: {} } });
    const ok: StartExperimentOptions = {
      plugins: { jsonl: { dir: "runs", fsync: false }, system: { intervalMs: 5000 }, csv: { path: "out.csv" } },
    };
    void ok;
  });

  it("hand-registered plugins run with their manager, names unchecked", () => {
    const manager = new PluginManager();
    void startExperiment({ manager, backends: ["made-by-hand"], plugins: { "made-by-hand": { any: 1 } } });
  });
});
