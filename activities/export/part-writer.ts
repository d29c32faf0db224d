import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Compression } from '../../core/export-input';
import type { ObjectCipher } from '../../crypto/object-cipher';
import type { ObjectStore } from '../../storage/object-store';
import { ChecksumStream, type Checksums } from '../../streams/checksum-stream';
import { createCompressor } from '../../streams/compression';
import { RowFingerprint, type RowsFingerprint } from '../../streams/row-fingerprint';

/**
 * One part object being written: bytes go in uncompressed and flow through
 * compress → encrypt (with a `cipher`) → hash → upload, so the checksums are of the stored bytes. The object becomes visible only when `finish()` resolves.
 */
export class PartUpload {
  private readonly input = new PassThrough({ highWaterMark: 1 << 20 });
  private readonly done: Promise<Checksums>;
  rows = 0;
  rawBytes = 0;

  constructor(store: ObjectStore, readonly key: string, compression: Compression, zstdLevel: number, cipher?: ObjectCipher) {
    const checksum = new ChecksumStream();
    const stages = [createCompressor(compression, zstdLevel), ...(cipher ? [cipher.encryptor(key)] : []), checksum] as const;
    this.done = pipeline(this.input, ...stages, store.openWrite(key)).then(() => checksum.result());
    // Failures surface through write() or finish(); this keeps an early one from going unhandled.
    this.done.catch(() => undefined);
  }

  async write(chunk: Buffer, rows: number): Promise<void> {
    this.rows += rows;
    this.rawBytes += chunk.length;
    if (!this.input.write(chunk)) await Promise.race([once(this.input, 'drain'), this.done]);
  }

  /** Ends the part: its stored object's checksums. */
  async finish(): Promise<Checksums> {
    this.input.end();
    return this.done;
  }

  abort(error: Error): void {
    this.input.destroy(error);
  }
}

/**
 * A part of a table's COPY rows, which are fingerprinted as they pass (a trail archive's parts
 * are not rows of a table, and skip that scan: it cost a delta export a fifth of its time).
 */
export class PartWriter extends PartUpload {
  private readonly fingerprint: RowFingerprint;

  /** `quote`: the COPY's quote byte, for finding the rows the fingerprint hashes. */
  constructor(store: ObjectStore, key: string, compression: Compression, zstdLevel: number, quote = 0x22, cipher?: ObjectCipher) {
    super(store, key, compression, zstdLevel, cipher);
    this.fingerprint = new RowFingerprint(quote);
  }

  /** `fingerprint`: the chunk's rows already fingerprinted (CopyOutReader's); else they are scanned here. */
  override async write(chunk: Buffer, rows: number, fingerprint?: RowFingerprint): Promise<void> {
    if (fingerprint) this.fingerprint.merge(fingerprint);
    else this.fingerprint.update(chunk);
    await super.write(chunk, rows);
  }

  /** Ends the part: its stored object's checksums and the fingerprint of the rows written. */
  override async finish(): Promise<Checksums & { readonly fingerprint: RowsFingerprint }> {
    return { ...(await super.finish()), fingerprint: this.fingerprint.result() };
  }
}
