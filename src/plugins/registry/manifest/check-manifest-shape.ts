import { MAX_PLUGIN_NAME_LENGTH, MAX_PLUGINS_PER_PACKAGE } from "./manifest-types.js";

// The checks of MANIFEST_SCHEMA written out: discovery runs them in the first call of a fresh
// process, where loading ajv and compiling the schema cost more than scanning a thousand packages.
// test/plugins/manifest/check-manifest-shape.test.ts holds the two to the same verdicts.

const NAME = /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/u;
const PLUGIN_KEYS = new Set([
  "name",
  "type",
  "entry",
  "export",
  "version",
  "description",
  "author",
  "configSchema",
  "dependencies",
  "requires",
]);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

// JSON Schema counts characters as code points, as ajv does.
function length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    n++;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  return n;
}

function checkString(value: unknown, at: string, min: number, max: number, errors: string[]): boolean {
  if (typeof value !== "string") {
    errors.push(`${at} must be string`);
    return false;
  }
  const n = length(value);
  if (n < min) errors.push(`${at} must NOT have fewer than ${min} characters`);
  if (n > max) errors.push(`${at} must NOT have more than ${max} characters`);
  return n >= min && n <= max;
}

function checkStringMap(value: unknown, at: string, errors: string[]): void {
  if (!isObject(value)) {
    errors.push(`${at} must be object`);
    return;
  }
  const keys = Object.keys(value);
  if (keys.length > 200) errors.push(`${at} must NOT have more than 200 properties`);
  for (const key of keys) {
    const n = length(key);
    if (n < 1 || n > MAX_PLUGIN_NAME_LENGTH) errors.push(`${at} property name "${key.slice(0, 64)}" is invalid`);
    checkString(value[key], `${at}/${key}`, 1, 256, errors);
  }
}

function checkPlugin(plugin: unknown, at: string, errors: string[]): void {
  if (!isObject(plugin)) {
    errors.push(`${at} must be object`);
    return;
  }
  for (const key of ["name", "type", "entry"]) {
    if (!Object.hasOwn(plugin, key)) errors.push(`${at} must have required property '${key}'`);
  }
  for (const key of Object.keys(plugin)) {
    if (!PLUGIN_KEYS.has(key)) errors.push(`${at} has unknown key "${key.slice(0, 64)}"`);
  }
  const { name, type, configSchema } = plugin;
  if (Object.hasOwn(plugin, "name") && checkString(name, `${at}/name`, 0, MAX_PLUGIN_NAME_LENGTH, errors)) {
    if (!NAME.test(name as string)) errors.push(`${at}/name must match pattern "${NAME.source}"`);
  }
  if (Object.hasOwn(plugin, "type") && type !== "backend" && type !== "collector") {
    errors.push(`${at}/type must be equal to one of the allowed values`);
  }
  if (Object.hasOwn(plugin, "entry")) checkString(plugin.entry, `${at}/entry`, 1, 1024, errors);
  if (Object.hasOwn(plugin, "export")) checkString(plugin.export, `${at}/export`, 1, 256, errors);
  if (Object.hasOwn(plugin, "version")) checkString(plugin.version, `${at}/version`, 1, 256, errors);
  if (Object.hasOwn(plugin, "description")) checkString(plugin.description, `${at}/description`, 0, 4096, errors);
  if (Object.hasOwn(plugin, "author")) checkString(plugin.author, `${at}/author`, 0, 1024, errors);
  if (Object.hasOwn(plugin, "configSchema") && !isObject(configSchema)) {
    const n = typeof configSchema === "string" ? length(configSchema) : -1;
    if (n < 1 || n > 1024) errors.push(`${at}/configSchema must match a schema in anyOf`);
  }
  if (Object.hasOwn(plugin, "dependencies")) checkStringMap(plugin.dependencies, `${at}/dependencies`, errors);
  if (Object.hasOwn(plugin, "requires")) checkStringMap(plugin.requires, `${at}/requires`, errors);
}

/**
 * Checks a `tracelet` field against the manifest's shape (`MANIFEST_SCHEMA`, draft-07): the
 * same verdict as the schema, with messages in ajv's style (`/plugins/0/name must be string`).
 *
 * @param field - the raw `tracelet` value
 * @returns every shape error (empty when the shape is right)
 * @example
 * ```ts
 * manifestShapeErrors({ engine: "^1.0.0", plugins: [] }); // []
 * ```
 */
export function manifestShapeErrors(field: unknown): string[] {
  const errors: string[] = [];
  if (!isObject(field)) return ["(root) must be object"];
  for (const key of ["engine", "plugins"]) {
    if (!Object.hasOwn(field, key)) errors.push(`(root) must have required property '${key}'`);
  }
  if (Object.hasOwn(field, "engine")) checkString(field.engine, "/engine", 1, 256, errors);
  if (Object.hasOwn(field, "plugins")) {
    const plugins = field.plugins;
    if (!Array.isArray(plugins)) errors.push("/plugins must be array");
    else {
      if (plugins.length > MAX_PLUGINS_PER_PACKAGE) {
        errors.push(`/plugins must NOT have more than ${MAX_PLUGINS_PER_PACKAGE} items`);
      }
      for (let i = 0; i < plugins.length; i++) checkPlugin(plugins[i], `/plugins/${i}`, errors);
    }
  }
  return errors;
}
