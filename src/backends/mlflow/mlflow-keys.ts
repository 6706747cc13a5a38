/** MLflow's longest metric, param or tag key. */
export const MAX_KEY_LENGTH = 250;

// MLflow checks keys with Python's `^[/\w.\- :]*$`, where \w is any Unicode letter or digit or `_`.
const INVALID = /[^/\p{L}\p{N}_.\- :]/gu;

/**
 * Maps names to keys MLflow accepts: characters outside `[/\w.\- :]` become `_`, and a key that
 * was cut to 250 characters, or would collide with another name's key, gets a short hash of the
 * original. The same name always maps to the same key within a run.
 */
export class KeyMapper {
  private readonly keys = new Map<string, string>();
  private readonly taken = new Map<string, string>();
  private readonly sizes = new Map<string, number>();

  /**
   * @param onRename - called once per name whose key differs from it
   */
  constructor(private readonly onRename: (name: string, key: string) => void) {}

  /**
   * The MLflow key of a name.
   *
   * @param name - a metric, param or tag name
   * @returns its key
   */
  key(name: string): string {
    const known = this.keys.get(name);
    if (known !== undefined) return known;
    let key = name.replace(INVALID, "_");
    const owner = this.taken.get(key);
    if (key.length > MAX_KEY_LENGTH || (owner !== undefined && owner !== name)) {
      const suffix = `-${hash(name)}`;
      key = key.slice(0, MAX_KEY_LENGTH - suffix.length) + suffix;
    }
    this.keys.set(name, key);
    this.taken.set(key, name);
    // JSON escapes of `"` and `\` cannot occur: MLflow keys hold neither.
    this.sizes.set(key, Buffer.byteLength(key));
    if (key !== name) this.onRename(name, key);
    return key;
  }

  /**
   * The UTF-8 size of a key this mapper returned (as JSON: MLflow keys need no escapes).
   *
   * @param key - a key from {@link KeyMapper.key}
   * @returns its size in bytes
   */
  bytes(key: string): number {
    return this.sizes.get(key) ?? Buffer.byteLength(key);
  }
}

/** FNV-1a, 32 bits, as 8 hex digits: short, stable, enough to tell two names apart. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}
