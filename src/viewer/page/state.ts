/** What the page shows, kept in the URL's hash so a view can be shared. */
export interface ViewState {
  /** Run ids selected for the charts (empty: the newest few). */
  runs: string[];
  /** x-axis: step, wall-clock time, or time since the run started. */
  x: "step" | "wall" | "relative";
  log: boolean;
  /** Smoothing weight in [0, 1). */
  smooth: number;
  /** Filter over metric names (substring). */
  metrics: string;
  /** Filter over runs (the `--where` language). */
  where: string;
  /** Sort column of the runs table, and its direction. */
  sort: string;
  desc: boolean;
}

/**
 * Reads the view state from a URL hash such as `#runs=a,b&x=step&smooth=0.6`.
 *
 * @param hash - `location.hash`
 * @returns the state, defaults filled in
 */
export function readState(hash: string): ViewState {
  const q = new URLSearchParams(hash.replace(/^#/, ""));
  const x = q.get("x");
  const smooth = Number(q.get("smooth") ?? 0);
  return {
    runs: (q.get("runs") ?? "").split(",").filter(Boolean),
    x: x === "wall" || x === "relative" ? x : "step",
    log: q.get("log") === "1",
    smooth: Number.isFinite(smooth) ? Math.min(0.99, Math.max(0, smooth)) : 0,
    metrics: q.get("metrics") ?? "",
    where: q.get("where") ?? "",
    sort: q.get("sort") ?? "id",
    desc: q.get("desc") !== "0",
  };
}

/**
 * Writes the view state as a URL hash (defaults left out).
 *
 * @param s - the state
 * @returns the hash, with its `#`
 */
export function writeState(s: ViewState): string {
  const q = new URLSearchParams();
  if (s.runs.length > 0) q.set("runs", s.runs.join(","));
  if (s.x !== "step") q.set("x", s.x);
  if (s.log) q.set("log", "1");
  if (s.smooth > 0) q.set("smooth", String(s.smooth));
  if (s.metrics) q.set("metrics", s.metrics);
  if (s.where) q.set("where", s.where);
  if (s.sort !== "id") q.set("sort", s.sort);
  if (!s.desc) q.set("desc", "0");
  const text = q.toString();
  return text ? `#${text}` : "#";
}
