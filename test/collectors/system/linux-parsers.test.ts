import { describe, expect, it } from "vitest";
import { findMemoryCgroup, parseLimit, statValue } from "../../../src/collectors/system/linux/cgroup.js";
import { busyPercent, parseLoadAvg, parseProcStat } from "../../../src/collectors/system/linux/cpu.js";
import { parseDiskStats, wholeDisks } from "../../../src/collectors/system/linux/disk-io.js";
import { combineMemory, parseMemInfo } from "../../../src/collectors/system/linux/memory.js";
import { interfaceFilter, parseNetDev } from "../../../src/collectors/system/linux/network.js";
import { parseProcessStat, processTree } from "../../../src/collectors/system/linux/process-stat.js";
import { label } from "../../../src/collectors/system/names.js";
import { Rates } from "../../../src/collectors/system/rates.js";

describe("/proc parsers", () => {
  it("computes CPU busy percentage from two /proc/stat readings, guest time not counted twice", () => {
    const a = parseProcStat("cpu  100 0 50 800 50 0 0 0 30 0\ncpu0 50 0 25 400 25 0 0 0 0 0\nintr 1\n");
    const b = parseProcStat("cpu  200 0 100 1500 100 0 0 0 60 0\ncpu0 100 0 50 750 50 0 0 0 0 0\nintr 1\n");
    expect(a.cores).toHaveLength(1);
    // busy +150 of +900 total (idle +700, iowait +50).
    expect(busyPercent(a.total, b.total)).toBeCloseTo((150 / 900) * 100, 10);
    expect(busyPercent(a.cores[0], b.cores[0])).toBeCloseTo((75 / 450) * 100, 10);
    expect(busyPercent(a.total, a.total)).toBeUndefined();
    // Without per-core figures only the aggregate line is parsed.
    expect(parseProcStat("cpu  100 0 50 800 50 0 0 0 30 0\ncpu0 50 0 25 400 25 0 0 0 0 0\n", false)).toEqual({
      total: a.total,
      cores: [],
    });
    expect(parseLoadAvg("0.51 0.31 0.16 1/86 5703\n")).toEqual([0.51, 0.31, 0.16]);
  });

  it("reads memory in bytes and, inside a binding cgroup limit, reports the container's view", () => {
    const info = parseMemInfo(
      "MemTotal: 1000 kB\nMemFree: 100 kB\nMemAvailable: 600 kB\nSwapTotal: 200 kB\nSwapFree: 50 kB\n",
    );
    expect(info.MemTotal).toBe(1000 * 1024);
    const host = combineMemory(info);
    expect(host).toMatchObject({ total: 1024000, used: 400 * 1024, available: 600 * 1024, swapUsed: 150 * 1024 });
    expect(host.cgroupLimited).toBe(false);
    const limited = combineMemory(info, { limit: 500 * 1024, usage: 300 * 1024, inactiveFile: 100 * 1024 });
    expect(limited).toMatchObject({ total: 500 * 1024, used: 200 * 1024, available: 300 * 1024, cgroupLimited: true });
    const unlimited = combineMemory(info, { limit: undefined, usage: 300 * 1024, inactiveFile: 0 });
    expect(unlimited.total).toBe(1024000);
  });

  it("finds the memory cgroup: v2 unified, v1 memory hierarchy, nested paths and mount roots", () => {
    const v2 = findMemoryCgroup("0::/user.slice/app.scope\n", "30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
    expect(v2).toEqual({ version: 2, dirs: ["/sys/fs/cgroup/user.slice/app.scope", "/sys/fs/cgroup"] });
    const ns = findMemoryCgroup("0::/\n", "30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
    expect(ns).toEqual({ version: 2, dirs: ["/sys/fs/cgroup"] });
    const v1 = findMemoryCgroup(
      "4:memory:/docker/abc\n0::/\n",
      "35 31 0:32 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n",
    );
    expect(v1).toEqual({ version: 1, dirs: ["/sys/fs/cgroup/memory"] });
    expect(findMemoryCgroup("", "")).toBeUndefined();
    expect(parseLimit("max\n")).toBeUndefined();
    expect(parseLimit("536870912\n")).toBe(536870912);
    expect(statValue("active_file 5\ninactive_file 7\ntotal_inactive_file 9\n", "inactive_file")).toBe(7);
    expect(statValue("total_inactive_file 9\n", "inactive_file")).toBe(0);
    expect(statValue("total_inactive_file 9\n", "total_inactive_file")).toBe(9);
  });

  it("counts whole disks only (no partitions, loop, RAM or stacked devices), 512-byte sectors", () => {
    const disks = wholeDisks(["loop0", "nvme0n1", "sda", "zram0", "dm-0", "md0", "vda"]);
    expect([...disks].sort()).toEqual(["nvme0n1", "sda", "vda"]);
    const text = [
      "   8       0 sda 10 0 100 0 20 0 200 0 0 0 0",
      "   8       1 sda1 10 0 100 0 20 0 200 0 0 0 0",
      " 259       0 nvme0n1 1 0 8 0 2 0 16 0 0 0 0",
      " 253       0 dm-0 5 0 999 0 5 0 999 0 0 0 0",
    ].join("\n");
    expect(parseDiskStats(text, disks)).toEqual({ read: (100 + 8) * 512, written: (200 + 16) * 512 });
  });

  it("reads /proc/net/dev, skipping lo unless asked or listed", () => {
    const text = [
      "Inter-|   Receive                                                |  Transmit",
      " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed",
      "    lo:    3193      29    0    0    0     0          0         0     3193      29    0    0    0     0       0          0",
      "  eth0: 220889220    7776    0    0    0     0          0         0   551557    4689    0    0    0     0       0          0",
    ].join("\n");
    expect([...parseNetDev(text, interfaceFilter(undefined, false)).keys()]).toEqual(["eth0"]);
    expect(parseNetDev(text, interfaceFilter(undefined, true)).get("lo")).toEqual({ rx: 3193, tx: 3193 });
    expect(parseNetDev(text, interfaceFilter(["eth0"], false)).get("eth0")).toEqual({ rx: 220889220, tx: 551557 });
    // Counters wide enough to touch the colon, single spaces, and a file without a final newline.
    const wide = [
      text.split("\n")[0],
      text.split("\n")[1],
      "eth1:12345678901234 1 0 0 0 0 0 0 98765432109876 2 0 0 0 0 0 0",
      "  wlan0:       5       1    0    0    0     0          0         0        7       1    0    0    0     0       0          0",
    ].join("\n");
    const parsed = parseNetDev(wide, interfaceFilter(undefined, false));
    expect(Object.fromEntries(parsed)).toEqual({
      eth1: { rx: 12345678901234, tx: 98765432109876 },
      wlan0: { rx: 5, tx: 7 },
    });
  });

  it("parses /proc/<pid>/stat with spaces and parentheses in the command name, and walks the tree", () => {
    const line =
      "42 (my (odd) proc) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 7 0 12345 1000000 300 18446744073709551615";
    expect(parseProcessStat(line)).toEqual({ pid: 42, ppid: 1, ticks: 300, threads: 7, rssPages: 300 });
    // A real line from Linux 6.x (52 fields, multi-digit values, trailing newline).
    const real =
      "11167 (node) R 11166 11164 2388 34816 11164 4194304 6412 0 0 0 2713 1075 0 0 20 0 11 0 4240118 1228054528 13476 18446744073709551615 1 1 0 0 0 0 0 4096 134234626 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n";
    expect(parseProcessStat(real)).toEqual({ pid: 11167, ppid: 11166, ticks: 3788, threads: 11, rssPages: 13476 });
    expect(parseProcessStat("42 (x) S 1 42")?.rssPages).toBeNaN();
    expect(parseProcessStat("not a stat line")).toBeUndefined();
    const p = (pid: number, ppid: number) => ({ pid, ppid, ticks: 0, threads: 1, rssPages: 1 });
    const tree = processTree(10, [p(1, 0), p(10, 1), p(11, 10), p(12, 11), p(13, 1)]);
    expect(tree.map((t) => t.pid)).toEqual([10, 11, 12]);
  });

  it("turns counters into rates over the real elapsed time; the first reading only primes", () => {
    const rates = new Rates();
    expect(rates.update("x", 1000, 0)).toBeUndefined();
    expect(rates.update("x", 3000, 500)).toBe(4000);
    expect(rates.update("x", 10, 1500)).toBeUndefined();
    expect(rates.update("x", 20, 1500)).toBeUndefined();
    // Each reading replaces the previous one, the ones that yielded nothing too.
    expect(rates.update("x", 30, 2500)).toBe(10);
    expect(rates.update("y", 5, 2500)).toBeUndefined();
  });

  it("labels paths and devices safely for metric names", () => {
    expect(label("/")).toBe("root");
    expect(label("/mnt/data")).toBe("mnt_data");
    expect(label("eth0")).toBe("eth0");
  });
});
