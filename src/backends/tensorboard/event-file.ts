import { closeSync, fdatasync, fdatasyncSync, ftruncateSync, mkdirSync, openSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { fileVersionEvent } from "./events.js";

const datasync = promisify(fdatasync);

/**
 * Bytes written after which the file is fdatasynced in the thread pool while writing goes on, so
 * the disk works alongside the encoder instead of after it: the sync of a flush or stop then only
 * waits for the last few MiB. At most one such sync runs at a time.
 */
const SYNC_AHEAD_BYTES = 4 * 1024 * 1024;

/**
 * The event files of one run folder: appends framed events, rotates to a new file past
 * `maxFileBytes`, fdatasyncs on {@link EventFiles.sync} (and in the thread pool every
 * `syncAheadBytes` written). A write that fails is cut back to the last whole record, so the
 * caller can retry the same events without tearing or duplicating one; if even that fails, the
 * next write starts a new file (a reader stops at a torn record).
 */
export class EventFiles {
  private fd: number | undefined;
  private path = "";
  private size = 0;
  private seq = 0;
  private unsynced = false;
  // The thread-pool fdatasync in flight (it never rejects), its descriptor, bytes written since
  // the last one started, and the failure it met, for the next sync() to throw: the kernel
  // reports a failed writeback once, so a later fdatasync of the same file may not see it.
  private ahead: Promise<void> | undefined;
  private aheadFd: number | undefined;
  private sinceAhead = 0;
  private aheadError: unknown;
  private readonly host = hostname().replace(/[^\w.-]/g, "_");

  /**
   * @param dir - the run folder
   * @param maxFileBytes - size past which the next write starts a new file
   * @param fsync - whether sync() and rotation fdatasync at all
   * @param syncAheadBytes - bytes written after which an fdatasync starts in the thread pool
   */
  constructor(
    private readonly dir: string,
    private readonly maxFileBytes: number,
    private readonly fsync = true,
    private readonly syncAheadBytes = SYNC_AHEAD_BYTES,
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
      this.closeAfterAhead(fd, true);
    }
  }

  private syncAhead(fd: number): void {
    this.sinceAhead = 0;
    this.aheadFd = fd;
    const ahead: Promise<void> = datasync(fd).then(
      () => this.aheadDone(ahead),
      (error: unknown) => {
        this.aheadError ??= error;
        this.aheadDone(ahead);
      },
    );
    this.ahead = ahead;
  }

  private aheadDone(ahead: Promise<void>): void {
    if (this.ahead !== ahead) return;
    this.ahead = undefined;
    this.aheadFd = undefined;
  }

  // A descriptor is closed only once the thread-pool fdatasync on it is done: closed earlier,
  // its number could be reused by the next file before that fdatasync even starts.
  private closeAfterAhead(fd: number, rethrow: boolean): void {
    const ahead = this.ahead;
    if (ahead === undefined || this.aheadFd !== fd) {
      if (rethrow) closeSync(fd);
      else closeQuietly(fd);
      return;
    }
    void ahead.then(() => closeQuietly(fd));
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
        this.closeAfterAhead(fd, false);
      }
      throw error;
    }
    this.size += bytes.length;
    this.unsynced = true;
    this.sinceAhead += bytes.length;
    if (this.fsync && this.sinceAhead >= this.syncAheadBytes && this.ahead === undefined) this.syncAhead(fd);
  }

  /**
   * fdatasyncs the current file when something was written since the last sync, after the
   * thread-pool fdatasync in flight, if any.
   *
   * @throws the file system's error, this fdatasync's or one a thread-pool fdatasync met since
   *   the last call
   */
  async sync(): Promise<void> {
    await this.ahead;
    const failed = this.aheadError;
    if (failed !== undefined) {
      this.aheadError = undefined;
      throw failed;
    }
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
      if (fd !== undefined) this.closeAfterAhead(fd, true);
    }
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already unusable
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}
