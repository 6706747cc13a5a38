// The tests start runs with many plugins registered by hand or discovered from fixtures, and
// with deliberately wrong options (what a JavaScript caller can pass): plugin names and
// configs are not checked by types here. The type tests (test/types/*.test-d.ts, compiled by
// vitest without this file) check the names strictly.
import "../src/index.js";

declare module "../src/index.js" {
  interface TraceletTypeSettings {
    uncheckedPluginNames: true;
  }
}
