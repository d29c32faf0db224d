import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { crc32c } from '@node-rs/crc32';

export interface Checksums {
  readonly bytes: number;
  readonly sha256: string;
  /** Base64 of the big-endian CRC32C, the form GCS reports in object metadata. */
  readonly crc32c: string;
}

export function crc32cBase64(value: number): string {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value >>> 0);
  return buffer.toString('base64');
}

/**
 * A pass-through that hashes what flows through it (sha256 and CRC32C) and counts bytes.
 * `result()` is valid once the stream has finished.
 */
export class ChecksumStream extends Transform {
  private readonly sha: Hash = createHash('sha256');
  private crc = 0;
  private count = 0;
  private digest: Checksums | undefined;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.sha.update(chunk);
    this.crc = crc32c(chunk, this.crc);
    this.count += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.digest = { bytes: this.count, sha256: this.sha.digest('hex'), crc32c: crc32cBase64(this.crc) };
    callback();
  }

  result(): Checksums {
    if (!this.digest) throw new Error('checksums read before the stream finished');
    return this.digest;
  }
}
