/**
 * One plugin declared in a package's `tracelet.plugins` array.
 *
 * @example
 * ```json
 * { "name": "x", "type": "backend", "entry": "./dist/x.js", "export": "XBackend" }
 * ```
 */
export interface ManifestPlugin {
  /**
   * Unique plugin id: `[a-z0-9][a-z0-9._-]*`, optionally scoped (`@scope/name`), at most 214
   * characters. Example: `"x"`, `"@acme/gpu"`.
   */
  name: string;
  /** `"backend"` or `"collector"`. Example: `"backend"`. */
  type: "backend" | "collector";
  /** Module path inside the package, relative to it. Example: `"./dist/x.js"`. */
  entry: string;
  /** Named export holding the plugin class; default `"default"`. Example: `"XBackend"`. */
  export?: string;
  /** Plugin version; defaults to the package's. Example: `"1.2.0"`. */
  version?: string;
  /** One line; defaults to the package's. Example: `"Sends runs to X"`. */
  description?: string;
  /** Author; defaults to the package's. Example: `"Ada <ada@example.com>"`. */
  author?: string;
  /**
   * JSON Schema (draft 2020-12 or 07) of the plugin's config, or the path of a `.json` file
   * inside the package that holds it. Example: `{ "type": "object" }` or `"./schema.json"`.
   */
  configSchema?: Record<string, unknown> | string;
  /** Other Tracelet plugins needed, by plugin name, with ranges of their package versions. Example: `{ "other": "^2.0.0" }`. */
  dependencies?: Record<string, string>;
  /** npm packages that must be resolvable from this package, with version ranges. Example: `{ "undici": ">=6.0.0" }`. */
  requires?: Record<string, string>;
}

/**
 * The `tracelet` field of a plugin package's `package.json`.
 *
 * @example
 * ```json
 * { "engine": "^1.0.0", "plugins": [{ "name": "x", "type": "backend", "entry": "./x.js" }] }
 * ```
 */
export interface TraceletManifest {
  /** Semver range of Tracelet core versions the package works with. Example: `"^1.0.0"`. */
  engine: string;
  /** The plugins the package provides (at most 1,000). */
  plugins: ManifestPlugin[];
}

/** Most plugins one package may declare; more is refused as malformed. */
export const MAX_PLUGINS_PER_PACKAGE = 1000;

/** Largest package.json Tracelet reads as a plugin manifest, in bytes. */
export const MAX_MANIFEST_BYTES = 512 * 1024;

/** Longest plugin name (npm's own package-name limit). */
export const MAX_PLUGIN_NAME_LENGTH = 214;

/** Deepest nesting a config schema may have. */
export const MAX_SCHEMA_DEPTH = 32;

/** Most values (objects, arrays, scalars) a config schema may hold. */
export const MAX_SCHEMA_NODES = 20_000;
