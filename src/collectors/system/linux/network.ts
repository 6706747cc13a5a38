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
  // The first two lines are headers; then `name: rx_bytes packets errs drop fifo frame
  // compressed multicast tx_bytes ...`, fields separated by runs of spaces.
  let start = text.indexOf("\n", text.indexOf("\n") + 1) + 1;
  while (start > 0 && start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const colon = text.indexOf(":", start);
    if (colon > 0 && colon < end) {
      const name = text.slice(start, colon).trim();
      if (include(name)) {
        let rx = Number.NaN;
        let tx = Number.NaN;
        let field = 0;
        let at = colon + 1;
        while (at < end && field <= 8) {
          while (text.charCodeAt(at) === 32) at++;
          let stop = at;
          while (stop < end && text.charCodeAt(stop) !== 32) stop++;
          if (field === 0) rx = Number(text.slice(at, stop));
          else if (field === 8) tx = Number(text.slice(at, stop));
          field++;
          at = stop;
        }
        out.set(name, { rx, tx });
      }
    }
    start = end + 1;
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
