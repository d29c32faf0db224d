import type { Compression } from '../../core/export-input';
import type { ManifestPart } from '../../core/manifest';
import type { ObjectCipher } from '../../crypto/object-cipher';
import type { ObjectStore } from '../../storage/object-store';
import { archiveLine, type ArchivedEntry } from '../../trail';
import { PartUpload } from '../export/part-writer';

/**
 * Writes archived trail entries as parts of about `partSizeBytes` uncompressed, cut between
 * entries, through the export's compress → encrypt → hash → upload pipeline. Keys come from `partKey`,
 * so a retry writes the same names.
 */
export class ArchiveWriter {
  private readonly parts: ManifestPart[] = [];
  private current: PartUpload | null = null;

  constructor(
    private readonly store: ObjectStore,
    private readonly partKey: (partNo: number) => string,
    private readonly compression: Compression,
    private readonly zstdLevel: number,
    private readonly partSizeBytes: number,
    private readonly cipher?: ObjectCipher,
  ) {}

  async write(entries: readonly ArchivedEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const part = this.current ?? (this.current = new PartUpload(this.store, this.partKey(this.parts.length), this.compression, this.zstdLevel, this.cipher));
    await part.write(Buffer.from(entries.map(archiveLine).join(''), 'utf8'), entries.length);
    if (part.rawBytes >= this.partSizeBytes) await this.closePart();
  }

  /** Every part written; an empty range still gets one (empty) part, so a delta is never partless. */
  async finish(): Promise<ManifestPart[]> {
    if (this.current || this.parts.length === 0) {
      this.current ??= new PartUpload(this.store, this.partKey(this.parts.length), this.compression, this.zstdLevel, this.cipher);
      await this.closePart();
    }
    return this.parts;
  }

  abort(error: Error): void {
    this.current?.abort(error);
  }

  private async closePart(): Promise<void> {
    const part = this.current!;
    this.current = null;
    const sums = await part.finish();
    this.parts.push({ key: part.key, partNo: this.parts.length, rows: part.rows, bytes: sums.bytes, sha256: sums.sha256, crc32c: sums.crc32c });
  }
}
