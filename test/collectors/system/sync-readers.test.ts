import { mkdtempSync, rmSync, statfsSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DiskUsage, LOCAL_FILE_SYSTEMS } from "../../../src/collectors/system/disk-usage.js";
import { ProcFile, ProcFiles } from "../../../src/collectors/system/linux/proc-file.js";
import { parseProcessStat } from "../../../src/collectors/system/linux/process-stat.js";

const linux = process.platform === "linux";
const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "tracelet-proc-file-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("ProcFile: a kept-open file read synchronously from offset 0", () => {
  it("returns the whole content however small its first buffer, and sees each rewrite", () => {
    const path = join(tempDir(), "f");
    const first = "cpu  1 2 3 4 5 6 7 8 9 10\n".repeat(40);
    writeFileSync(path, first);
    const file = new ProcFile(path, 8);
    expect(file.read()).toBe(first);
    // Rewritten in place (same inode, as the kernel regenerates a /proc file): read again from 0.
    writeFileSync(path, "short\n");
    expect(file.read()).toBe("short\n");
    // A content exactly the buffer's size is read whole too (a full buffer means: read again).
    writeFileSync(path, "x".repeat(1024));
    expect(file.read()).toBe("x".repeat(1024));
    file.close();
    file.close();
    // Closed, then read: opened again.
    expect(file.read()).toBe("x".repeat(1024));
    file.close();
  });

  it("throws the fs error of a missing file", () => {
    const file = new ProcFile(join(tempDir(), "absent"));
    expect(() => file.read()).toThrow(expect.objectContaining({ code: "ENOENT" }));
  });

  it.runIf(linux)("reads a /proc file of this process", () => {
    const file = new ProcFile(`/proc/${process.pid}/stat`, 16);
    const stat = parseProcessStat(file.read());
    file.close();
    expect(stat?.pid).toBe(process.pid);
    expect(stat?.threads).toBeGreaterThanOrEqual(1);
  });
});

describe("ProcFiles", () => {
  it("gives undefined for a file it cannot read, and reads it once it exists", () => {
    const path = join(tempDir(), "later");
    const files = new ProcFiles();
    expect(files.tryRead(path)).toBeUndefined();
    expect(() => files.read(path)).toThrow(expect.objectContaining({ code: "ENOENT" }));
    writeFileSync(path, "1\n");
    expect(files.tryRead(path)).toBe("1\n");
    writeFileSync(path, "2\n");
    expect(files.read(path)).toBe("2\n");
    files.close();
    // Removed while closed: a later read opens afresh and fails.
    unlinkSync(path);
    expect(files.tryRead(path)).toBeUndefined();
  });
});

describe("DiskUsage", () => {
  it("reads a path's usage as df does, through the thread pool first, then synchronously on a local file system", async () => {
    const disk = new DiskUsage(["/"]);
    const first: Record<string, number> = {};
    const pending = disk.add(first);
    expect(pending).toBeInstanceOf(Promise);
    await pending;
    const s = statfsSync("/");
    expect(first["system/disk_total_megabytes"]).toBe((s.blocks * s.bsize) / 2 ** 20);
    expect(Object.keys(first).sort()).toEqual([
      "system/disk_available_megabytes",
      "system/disk_total_megabytes",
      "system/disk_usage_percentage",
      "system/disk_used_megabytes",
    ]);
    const second: Record<string, number> = {};
    const local = LOCAL_FILE_SYSTEMS.has(s.type);
    const again = disk.add(second);
    // Synchronous on a local file system: every value is there when add() returns.
    if (local) expect(again).toBeUndefined();
    else await again;
    expect(second["system/disk_total_megabytes"]).toBe(first["system/disk_total_megabytes"]);
    const { used, available } = {
      used: second["system/disk_used_megabytes"],
      available: second["system/disk_available_megabytes"],
    };
    expect(second["system/disk_usage_percentage"]).toBeCloseTo((used / (used + available)) * 100, 6);
  });

  it.runIf(linux)("keeps other file systems (here procfs) on the thread pool, and skips unreadable paths", async () => {
    const missing = join(tempDir(), "gone");
    const disk = new DiskUsage(["/proc", missing]);
    for (let i = 0; i < 2; i++) {
      const out: Record<string, number> = {};
      const pending = disk.add(out);
      expect(pending).toBeInstanceOf(Promise);
      await pending;
      expect(Object.keys(out).every((k) => k.startsWith("system/disk_proc_"))).toBe(true);
    }
  });

  it("does not count network or FUSE file systems as local", () => {
    // NFS, SMB2, CIFS, FUSE, Ceph, 9p, Lustre.
    for (const magic of [0x6969, 0xfe534d42, 0xff534d42, 0x65735546, 0x00c36400, 0x01021997, 0x0bd00bd0])
      expect(LOCAL_FILE_SYSTEMS.has(magic), magic.toString(16)).toBe(false);
  });
});
