/**
 * The version of this Tracelet core, the one source of truth (a test checks it against
 * package.json). Plugins declare the range they work with in `tracelet.engine`.
 */
export const TRACELET_VERSION = "1.0.0";
