import { withoutSecretPaths } from "../config/redact.js";
import { SECRET_KEYS } from "../logger.js";
import type { RunIdentity } from "../types.js";

const SECRET_KEY = new RegExp(`^(${SECRET_KEYS.join("|")})$`, "i");

/** What `backend.json` in a spool directory holds: enough for `tracelet sync` to replay it. */
export interface SpoolMeta {
  /** The backend plugin's name. */
  plugin: string;
  /** Its config, with secret-looking keys removed. */
  config: Record<string, unknown>;
  /** Dotted config paths its schema marks secret (removed before writing). */
  secretPaths?: string[];
  /** The run's identity. */
  run: RunIdentity;
}

function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!SECRET_KEY.test(k)) out[k] = withoutSecrets(v);
  return out;
}

/**
 * What is written to `backend.json`: the meta with the schema's secret paths (`*` segments
 * included: array items, any-key properties) and every secret-looking key removed from the
 * config, and any other string holding one of those secret values scrubbed (a spool outlives
 * the process that knew the secrets).
 *
 * @param meta - the backend's meta
 * @returns a copy safe to write to disk
 */
export function scrubbedMeta(meta: SpoolMeta): Omit<SpoolMeta, "secretPaths"> {
  const { secretPaths = [], ...rest } = meta;
  return { ...rest, config: withoutSecrets(withoutSecretPaths(meta.config, secretPaths)) as Record<string, unknown> };
}
