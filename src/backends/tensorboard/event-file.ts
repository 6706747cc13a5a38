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
  // Every thread-pool fdatasync of these files (background and sync()'s), one after the other:
  // `pending` settles, never rejecting, once the latest has; a descriptor is closed only after
  // it, so that its number is not another file's by the time an fdatasync on it runs. Bytes
  // written since the last background one started, and the failure one met, for the next sync()
  // to throw: the kernel reports a failed writeback once, so a later fdatasync may not see it.
  private pending: Promise<void> | undefined;
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
      this.closeAfterPending(fd, true);
    }
  }

  // An fdatasync of `fd` in the thread pool after those pending; resolves or rejects as it does.
  private datasyncAfter(fd: number): Promise<void> {
    const before = this.pending;
    // With none pending it starts at once (not a microtask later).
    const run =
      before === undefined
        ? datasync(fd)
        : (async () => {
            await before;
            await datasync(fd);
          })();
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.pending = settled;
    void settled.then(() => {
      if (this.pending === settled) this.pending = undefined;
    });
    return run;
  }

  private syncAhead(fd: number): void {
    this.sinceAhead = 0;
    this.datasyncAfter(fd).catch((error: unknown) => {
      this.aheadError ??= error;
    });
  }

  private closeAfterPending(fd: number, rethrow: boolean): void {
    const pending = this.pending;
    if (pending === undefined) {
      if (rethrow) closeSync(fd);
      else closeQuietly(fd);
      return;
    }
    void pending.then(() => closeQuietly(fd));
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
        this.closeAfterPending(fd, false);
      }
      throw error;
    }
    this.size += bytes.length;
    this.unsynced = true;
    this.sinceAhead += bytes.length;
    if (this.fsync && this.sinceAhead >= this.syncAheadBytes && this.pending === undefined) this.syncAhead(fd);
  }

  /**
   * fdatasyncs the current file when something was written since the last sync, after the
   * thread-pool fdatasync in flight, if any.
   *
   * @throws the file system's error, this fdatasync's or one a thread-pool fdatasync met since
   *   the last call
   */
  async sync(): Promise<void> {
    const fd = this.fd;
    let own: Promise<void> | undefined;
    if (fd !== undefined && this.unsynced && this.fsync) {
      this.unsynced = false;
      own = this.datasyncAfter(fd);
      own.catch(() => {
        this.unsynced = true;
      });
    }
    // Every fdatasync started before (another sync()'s, a background one) and this call's own:
    // the file's own sync is made even when a background one failed.
    await this.pending;
    const failed = this.aheadError;
    this.aheadError = undefined;
    await own;
    if (failed !== undefined) throw failed;
  }

  /** Syncs and closes the current file. */
  async close(): Promise<void> {
    try {
      await this.sync();
    } finally {
      const fd = this.fd;
      this.fd = undefined;
      if (fd !== undefined) this.closeAfterPending(fd, true);
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
