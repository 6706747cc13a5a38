// Preloaded into a memory child (`node --import ./heap-probe.mjs memory-child.mjs ...`) by
// memory-profile.mjs: samples RSS and V8's heap spaces every 5 ms from the event loop (the child's
// loop yields between steps, so the timer runs), and at exit writes, to the file named by
// HEAP_PROBE_OUT, how much each space had grown at the moment RSS peaked since the child's
// baseline (memory-child.mjs calls gc() right before it reads its "before" RSS: the probe wraps
// gc() to take its own baseline there).
// What it measures is where a run's RSS growth goes (young generation, old space, large objects,
// memory outside the heap), not the growth itself: memory-child.mjs measures that.
import { writeFileSync } from "node:fs";
import v8 from "node:v8";

const out = process.env.HEAP_PROBE_OUT;
const MB = 2 ** 20;

function snapshot() {
  const m = process.memoryUsage();
  const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.space_size]));
  return { rss: m.rss, external: m.external, arrayBuffers: m.arrayBuffers, ...spaces };
}

if (out) {
  let first = snapshot();
  let peak = first;
  const gc = globalThis.gc;
  if (gc) {
    globalThis.gc = (...args) => {
      const result = gc(...args);
      first = snapshot();
      peak = first;
      return result;
    };
  }
  const timer = setInterval(() => {
    const now = snapshot();
    if (now.rss > peak.rss) peak = now;
  }, 5);
  timer.unref();
  process.on("exit", () => {
    const grown = Object.fromEntries(
      Object.entries(peak)
        .map(([k, v]) => [k, Math.round(((v - (first[k] ?? 0)) / MB) * 10) / 10])
        .filter(([, v]) => v !== 0),
    );
    writeFileSync(out, JSON.stringify(grown));
  });
}
