// The worker of e2e-child.mjs's "worker-ceiling" variant: receives 4,096-point column buffers
// (transferred) with the names first seen in each, writes them as JSON Lines with fs.writeSync
// (~64 KB strings, the bare writer's format), and fdatasyncs on "end".
import { fdatasyncSync, openSync, writeSync } from "node:fs";
import { parentPort } from "node:worker_threads";

let fd;
const prefixes = [];
parentPort.on("message", (m) => {
  if (m.open) {
    fd = openSync(m.open, "a");
    return;
  }
  if (m.end) {
    fdatasyncSync(fd);
    parentPort.postMessage("done");
    return;
  }
  for (const name of m.names) prefixes.push(`{"name":${JSON.stringify(name)},"value":`);
  const { buf, length, capacity } = m;
  const values = new Float64Array(buf, 0, capacity);
  const steps = new Float64Array(buf, capacity * 8, capacity);
  const times = new Float64Array(buf, capacity * 16, capacity);
  const ids = new Int32Array(buf, capacity * 24, capacity);
  for (let from = 0; from < length; from += 1024) {
    let out = "";
    let last = Number.NaN;
    let tail = "";
    for (let i = from, to = Math.min(length, from + 1024); i < to; i++) {
      if (times[i] !== last) {
        last = times[i];
        tail = `,"timestamp":${last}}\n`;
      }
      out += `${prefixes[ids[i]]}${values[i]},"step":${steps[i]}${tail}`;
    }
    writeSync(fd, out);
  }
});
