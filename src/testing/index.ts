/**
 * Helpers for plugin authors' tests: run a plugin inside a real, short-lived experiment and
 * look at what it received.
 *
 * @packageDocumentation
 */
export { type MemoryArtifact, MemoryBackend, type MemoryBackendConfig } from "./memory-backend.js";
export { withTestExperiment } from "./with-test-experiment.js";
