import { closeSync, fdatasync, fdatasyncSync, ftruncateSync, mkdirSync, openSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { fileVersionEvent } from "./events.js";

const datasync = promisify(fdatasync);

/**
 * The event files of one run folder: appends framed events, rotates to a new file past
 * `maxFileBytes`, fdatasyncs on {@link EventFiles.sync}. A write that fails is cut back to the
 * last whole record, so the caller can retry the same events without tearing or duplicating
 * one; if even that fails, the next write starts a new file (a reader stops at a torn record).
 */
export class EventFiles {
  private fd: number | undefined;
  private path = "";
  private size = 0;
  private seq = 0;
  private unsynced = false;
  private readonly host = hostname().replace(/[^\w.-]/g, "_");

  /**
   * @param dir - the run folder
   * @param maxFileBytes - size past which the next write starts a new file
   * @param fsync - whether sync() and rotation fdatasync at all
   */
  constructor(
    private readonly dir: string,
    private readonly maxFileBytes: number,
    private readonly fsync = true,
  ) {}

  /** The file being written (empty before the first write). */
  get current(): string {
    return this.path;
  }

  /** Files opened so far. */
  get files(): number {
    return this.seq;
  }

  private open(): number {
    mkdirSync(this.dir, { recursive: true });
    const now = Date.now();
    const secs = String(Math.floor(now / 1000)).padStart(10, "0");
    // Name order is write order: seconds, then this writer's sequence (same second, same process).
    const name = `events.out.tfevents.${secs}.${this.host}.${process.pid}.${String(this.seq).padStart(6, "0")}`;
    const path = join(this.dir, name);
    const fd = openSync(path, "wx");
    try {
      const head = fileVersionEvent(now / 1000);
      writeAll(fd, head);
      this.size = head.length;
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    this.seq++;
    this.fd = fd;
    this.path = path;
    this.unsynced = true;
    return fd;
  }

  private rotate(): void {
    const fd = this.fd;
    this.fd = undefined;
    if (fd === undefined) return;
    // A file left behind is complete: synced and closed before the next one starts.
    try {
      if (this.fsync) fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Appends framed events: wholly, or (when it throws) not at all.
   *
   * @param bytes - framed events
   * @throws the file system's error (ENOSPC, EIO, EACCES…): nothing of `bytes` stays in the file
   */
  write(bytes: Uint8Array): void {
    if (this.fd !== undefined && this.size >= this.maxFileBytes) this.rotate();
    const fd = this.fd ?? this.open();
    try {
      writeAll(fd, bytes);
    } catch (error) {
      try {
        ftruncateSync(fd, this.size);
      } catch {
        // The file keeps a torn record: abandon it, the retry goes to a new file.
        this.fd = undefined;
        try {
          closeSync(fd);
        } catch {
          // already unusable
        }
      }
      throw error;
    }
    this.size += bytes.length;
    this.unsynced = true;
  }

  /** fdatasyncs the current file when something was written since the last sync. */
  async sync(): Promise<void> {
    const fd = this.fd;
    if (fd === undefined || !this.unsynced || !this.fsync) return;
    this.unsynced = false;
    try {
      await datasync(fd);
    } catch (error) {
      this.unsynced = true;
      throw error;
    }
  }

  /** Syncs and closes the current file. */
  async close(): Promise<void> {
    try {
      await this.sync();
    } finally {
      const fd = this.fd;
      this.fd = undefined;
      if (fd !== undefined) closeSync(fd);
    }
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}
