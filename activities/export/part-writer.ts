import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Compression } from '../../core/export-input';
import type { ObjectStore } from '../../storage/object-store';
import { ChecksumStream, type Checksums } from '../../streams/checksum-stream';
import { createCompressor } from '../../streams/compression';

/**
 * One part object being written: bytes go in uncompressed and flow through
 * compress → hash → upload. The object becomes visible only when `finish()` resolves.
 */
export class PartWriter {
  private readonly input = new PassThrough({ highWaterMark: 1 << 20 });
  private readonly done: Promise<Checksums>;
  rows = 0;
  rawBytes = 0;

  constructor(store: ObjectStore, readonly key: string, compression: Compression, zstdLevel: number) {
    const checksum = new ChecksumStream();
    this.done = pipeline(this.input, createCompressor(compression, zstdLevel), checksum, store.openWrite(key)).then(() => checksum.result());
    // Failures surface through write() or finish(); this keeps an early one from going unhandled.
    this.done.catch(() => undefined);
  }

  async write(chunk: Buffer, rows: number): Promise<void> {
    this.rows += rows;
    this.rawBytes += chunk.length;
    if (!this.input.write(chunk)) await Promise.race([once(this.input, 'drain'), this.done]);
  }

  async finish(): Promise<Checksums> {
    this.input.end();
    return this.done;
  }

  abort(error: Error): void {
    this.input.destroy(error);
  }
}
