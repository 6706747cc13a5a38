import { closeSync, openSync, readSync } from "node:fs";

/**
 * One `/proc`, `/sys` or cgroup file kept open and re-read from offset 0 on every sample: the
 * kernel regenerates the content on each read at offset 0, so the open/close round trips of
 * `readFile` are paid once per run.
 *
 * Reads are synchronous, on purpose. These files are generated in memory by the kernel and are
 * a few kilobytes at most: one `pread` costs microseconds, less than handing it to the libuv
 * thread pool, whose round trip (queue, wake a pool thread, wake the event loop) measured about
 * ten times the cost of the read itself at 1 Hz (docs/benchmarks.md, "Collector sampling
 * cost"). Files that may block (network file systems) are not read through this class.
 */
export class ProcFile {
  private fd: number | undefined;
  private buffer: Buffer;

  /**
   * @param path - the file
   * @param initialSize - starting buffer size in bytes (grown when a read fills it)
   */
  constructor(
    readonly path: string,
    initialSize = 4096,
  ) {
    this.buffer = Buffer.allocUnsafe(Math.max(1, initialSize));
  }

  /**
   * Reads the whole file as latin1 text (procfs content is ASCII), opening it on first use.
   *
   * @returns the content
   * @throws the underlying fs error (e.g. `ENOENT`) when the file cannot be opened or read
   */
  read(): string {
    this.fd ??= openSync(this.path, "r");
    for (;;) {
      const bytesRead = readSync(this.fd, this.buffer, 0, this.buffer.length, 0);
      if (bytesRead < this.buffer.length) return this.buffer.toString("latin1", 0, bytesRead);
      // A full buffer may mean a truncated read: grow and read again from the start (a procfs
      // file must be read in one call to be consistent).
      this.buffer = Buffer.allocUnsafe(this.buffer.length * 2);
    }
  }

  /** Closes the file; a later `read` opens it again. */
  close(): void {
    const fd = this.fd;
    this.fd = undefined;
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * A lazily created set of {@link ProcFile}s by path, closed together.
 */
export class ProcFiles {
  private readonly files = new Map<string, ProcFile>();

  /**
   * Reads one file, opening it on first use.
   *
   * @param path - the file
   * @returns its content
   * @throws the underlying fs error when the file cannot be opened or read
   */
  read(path: string): string {
    let file = this.files.get(path);
    if (!file) {
      file = new ProcFile(path);
      this.files.set(path, file);
    }
    return file.read();
  }

  /**
   * Reads one file, or `undefined` when it cannot be read (absent, permission...). A file that
   * failed is closed and forgotten, so a later call tries to open it afresh.
   *
   * @param path - the file
   * @returns its content or undefined
   */
  tryRead(path: string): string | undefined {
    try {
      return this.read(path);
    } catch {
      const file = this.files.get(path);
      this.files.delete(path);
      try {
        file?.close();
      } catch {
        // Already unusable: nothing more to release.
      }
      return undefined;
    }
  }

  /** Closes every open file. */
  close(): void {
    const files = [...this.files.values()];
    this.files.clear();
    for (const f of files) {
      try {
        f.close();
      } catch {
        // A descriptor that cannot be closed is gone already.
      }
    }
  }
}
