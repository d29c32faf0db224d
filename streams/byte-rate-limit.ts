import { Transform } from 'node:stream';

/**
 * Caps the bytes a job moves per second, across all its readers: each reader asks before
 * passing a chunk on, and waits while the job is ahead of its budget. For an export,
 * waiting stops reading the COPY stream, so PostgreSQL blocks on the socket and the live
 * app keeps its I/O and CPU; for a verification, it stops reading the store, so a
 * read-back does not take the egress an export or restore needs. Bursts of up to one
 * second's budget pass at once.
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

/** A pass-through stage that asks `limit` for each chunk before passing it on, unchanged. */
export function throttled(limit: Pick<ByteRateLimit, 'take'>): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      limit.take(chunk.length).then(() => done(null, chunk), done);
    },
  });
}
