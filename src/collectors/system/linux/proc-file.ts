import { close, open, read } from "node:fs";

/**
 * One `/proc` or `/sys` file kept open and re-read from offset 0 on every sample: the kernel
 * regenerates the content on each read at offset 0, so the open/close round trips of
 * `readFile` are paid once per run. Reads are asynchronous (libuv thread pool); the callback
 * API is used because it costs less per call than `FileHandle`, which matters at 1 Hz.
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
    this.buffer = Buffer.allocUnsafe(initialSize);
  }

  /**
   * Reads the whole file as latin1 text (procfs content is ASCII).
   *
   * @returns the content
   * @throws the underlying fs error when the file cannot be opened or read
   */
  read(): Promise<string> {
    return new Promise((resolve, reject) => {
      const readFrom = (fd: number) => {
        read(fd, this.buffer, 0, this.buffer.length, 0, (error, bytesRead) => {
          if (error) return reject(error);
          if (bytesRead < this.buffer.length) return resolve(this.buffer.toString("latin1", 0, bytesRead));
          // A full buffer may mean a truncated read: grow and read again from the start.
          this.buffer = Buffer.allocUnsafe(this.buffer.length * 2);
          readFrom(fd);
        });
      };
      if (this.fd !== undefined) return readFrom(this.fd);
      open(this.path, "r", (error, fd) => {
        if (error) return reject(error);
        // Two overlapping first reads may both open: keep one descriptor.
        if (this.fd !== undefined) close(fd, () => {});
        else this.fd = fd;
        readFrom(this.fd);
      });
    });
  }

  /** Closes the file; a later `read` opens it again. */
  close(): Promise<void> {
    const fd = this.fd;
    this.fd = undefined;
    if (fd === undefined) return Promise.resolve();
    return new Promise((resolve) => close(fd, () => resolve()));
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
   */
  read(path: string): Promise<string> {
    let file = this.files.get(path);
    if (!file) {
      file = new ProcFile(path);
      this.files.set(path, file);
    }
    return file.read();
  }

  /**
   * Reads one file, or `undefined` when it cannot be read (absent, permission...).
   *
   * @param path - the file
   * @returns its content or undefined
   */
  tryRead(path: string): Promise<string | undefined> {
    return this.read(path).catch(async () => {
      const file = this.files.get(path);
      this.files.delete(path);
      await file?.close();
      return undefined;
    });
  }

  /** Closes every open file. */
  async close(): Promise<void> {
    const files = [...this.files.values()];
    this.files.clear();
    await Promise.all(files.map((f) => f.close()));
  }
}
