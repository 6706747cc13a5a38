/** Cumulative bytes received and transmitted by one interface. */
export interface NetCounters {
  /** Bytes received since the interface came up. */
  rx: number;
  /** Bytes transmitted since the interface came up. */
  tx: number;
}

/**
 * Parses `/proc/net/dev`.
 *
 * @param text - the file's content
 * @param include - which interfaces to keep
 * @returns counters by interface name
 */
export function parseNetDev(text: string, include: (name: string) => boolean): Map<string, NetCounters> {
  const out = new Map<string, NetCounters>();
  const lines = text.split("\n");
  // The first two lines are headers.
  for (let i = 2; i < lines.length; i++) {
    const line = lines[i];
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (!include(name)) continue;
    const fields = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/);
    out.set(name, { rx: Number(fields[0]), tx: Number(fields[8]) });
  }
  return out;
}

/**
 * Builds the interface filter: an explicit list wins; otherwise every interface but the
 * loopback (unless `includeLoopback`).
 *
 * @param interfaces - explicit names, or undefined for all
 * @param includeLoopback - keep `lo`
 * @returns the filter
 */
export function interfaceFilter(
  interfaces: readonly string[] | undefined,
  includeLoopback: boolean,
): (name: string) => boolean {
  if (interfaces && interfaces.length > 0) {
    const wanted = new Set(interfaces);
    return (name) => wanted.has(name);
  }
  return (name) => includeLoopback || name !== "lo";
}
