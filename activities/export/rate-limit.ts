/**
 * Caps the bytes an export reads from its source per second, across all its readers: each
 * reader asks before passing a chunk on, and waits while the export is ahead of its
 * budget. Waiting stops reading the COPY stream, so PostgreSQL blocks on the socket and
 * the live app keeps its I/O and CPU. Bursts of up to one second's budget pass at once.
 */
export class ByteRateLimit {
  private nextFreeAt = 0;

  constructor(
    private readonly bytesPerSecond: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  async take(bytes: number): Promise<void> {
    const now = this.now();
    this.nextFreeAt = Math.max(this.nextFreeAt, now - 1000) + (bytes / this.bytesPerSecond) * 1000;
    const ahead = this.nextFreeAt - now;
    if (ahead > 0) await this.sleep(ahead);
  }
}
