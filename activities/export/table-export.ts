import type pg from 'pg';
import type { Compression, ExportFormat } from '../../core/export-input';
import type { ManifestPart } from '../../core/manifest';
import { copyOutStatement, type PageRange } from '../../postgres/copy-statements';
import type { TableRef } from '../../postgres/introspect';
import type { ObjectCipher } from '../../crypto/object-cipher';
import type { ObjectStore } from '../../storage/object-store';
import { CopyOutReader, type CopyRows } from '../../streams/copy-out-reader';
import { addFingerprints, RowFingerprint } from '../../streams/row-fingerprint';
import { JSONL_QUOTE, RowScanner } from '../../streams/row-scanner';
import { PartWriter } from './part-writer';
import { exportTableAsParquet } from './parquet-table-export';

export interface TableExportJob {
  readonly table: TableRef;
  readonly columns: readonly string[];
  /** Columns JSON lines carry as text (manifest column `jsonlText`). */
  readonly jsonlText?: readonly string[];
  readonly format: ExportFormat;
  /** Only these heap pages (a table read in ctid ranges); csv and jsonl. */
  readonly pages?: PageRange;
  readonly compression: Compression;
  readonly zstdLevel: number;
  readonly partSizeBytes: number;
  readonly partKey: (partNo: number) => string;
  /** Parts already stored by an earlier attempt: their rows are skipped. */
  readonly finishedParts: readonly ManifestPart[];
  /**
   * Set when `finishedParts` were read under another snapshot: the rows skipped must then
   * fingerprint exactly as those parts did, or `ResumedPrefixChanged` is thrown (and the
   * caller exports the table from its first row).
   */
  readonly verifyFinishedParts?: boolean;
  /** Masks the rows of each COPY chunk before anything else sees them (docs/masking.md); CSV only. */
  readonly mask?: (chunk: Buffer) => Buffer;
  /** Encrypts every part under the export's data key; unset for an unencrypted export. */
  readonly cipher?: ObjectCipher;
}

export interface TableExportHooks {
  /** May return a promise (the rate limit): the COPY is not read further until it settles. */
  onProgress(rows: number, bytes: number): void | Promise<void>;
  onPart(part: ManifestPart): Promise<void>;
}

/** The rows an earlier attempt stored are not the first rows of this snapshot's COPY. */
export class ResumedPrefixChanged extends Error {}

/**
 * Streams one table with COPY into parts of about `partSizeBytes` uncompressed, cut at
 * row boundaries. `client` must already be inside the shared snapshot. Returns every part
 * of the table, the earlier attempt's included.
 */
export async function exportTable(client: pg.ClientBase, store: ObjectStore, job: TableExportJob, hooks: TableExportHooks): Promise<ManifestPart[]> {
  // FORMAT BRANCH POINT: Parquet parts are written by DuckDB (parquet-table-export.ts).
  if (job.format === 'parquet') return exportTableAsParquet(client, store, job, hooks);
  const parts = [...job.finishedParts];
  let rowsToSkip = parts.reduce((sum, p) => sum + p.rows, 0);
  // Chunks of COPY output end on row boundaries and carry their row count; the scanner only
  // finds where the rows an earlier attempt stored end, inside the chunk where they do.
  const quote = job.format === 'jsonl' ? JSONL_QUOTE : 0x22;
  const scanner = new RowScanner(quote);
  // Parts are cut between chunks, so a chunk is never larger than a part should be.
  // The reader fingerprints each row as it copies its message (a chunk cut short by a resume is scanned).
  const copy = client.query(
    new CopyOutReader(copyOutStatement(job.table, job.columns, job.format, job.jsonlText, job.pages), { chunkBytes: Math.min(256 * 1024, job.partSizeBytes), fingerprint: !job.mask }),
  );
  let current = new PartWriter(store, job.partKey(parts.length), job.compression, job.zstdLevel, quote, job.cipher);
  let countedRows = 0;
  const skippedRows = job.verifyFinishedParts && rowsToSkip > 0 ? new RowFingerprint(quote) : undefined;
  const checkSkippedRows = () => {
    if (!skippedRows) return;
    const expected = addFingerprints(parts.map((p) => p.fingerprint ?? { rows: -1, sum: '' }));
    const found = skippedRows.result();
    if (found.rows !== expected.rows || found.sum !== expected.sum) {
      throw new ResumedPrefixChanged(`${job.table.schema}.${job.table.name}: the first ${expected.rows} rows differ from the stored parts`);
    }
  };

  const closePart = async () => {
    const sums = await current.finish();
    // The rows written and the rows fingerprinted must agree (a resumed chunk's are counted by a scan).
    if (sums.fingerprint.rows !== current.rows) throw new Error(`${current.key}: ${current.rows} rows written but ${sums.fingerprint.rows} fingerprinted`);
    const part: ManifestPart = { key: current.key, partNo: parts.length, rows: current.rows, bytes: sums.bytes, sha256: sums.sha256, crc32c: sums.crc32c, fingerprint: sums.fingerprint };
    parts.push(part);
    await hooks.onPart(part);
  };

  try {
    for await (const read of copy as AsyncIterable<CopyRows>) {
      // Masked first: fingerprints, parts and the resume check all see only masked rows.
      const data = job.mask ? job.mask(read.data) : read.data;
      const rows = read.rows;
      // The reader's fingerprint is of the rows as read: a masked chunk is scanned instead.
      const fingerprint = job.mask ? undefined : read.fingerprint;
      let chunk = data;
      let chunkRows = rows;
      let chunkFingerprint = fingerprint;
      if (rowsToSkip > 0) {
        if (rows <= rowsToSkip) {
          skippedRows?.update(data);
          rowsToSkip -= rows;
          countedRows += rows;
          if (rowsToSkip === 0) checkSkippedRows();
          continue;
        }
        const skipped = scanner.scan(chunk, rowsToSkip);
        skippedRows?.update(chunk.subarray(0, skipped.lastRowEnd));
        countedRows += skipped.rows;
        chunkRows -= skipped.rows;
        rowsToSkip = 0;
        checkSkippedRows();
        chunk = chunk.subarray(skipped.lastRowEnd);
        chunkFingerprint = undefined;
      }
      countedRows += chunkRows;
      await current.write(chunk, chunkRows, chunkFingerprint);
      await hooks.onProgress(chunkRows, chunk.length);
      if (current.rawBytes >= job.partSizeBytes) {
        await closePart();
        current = new PartWriter(store, job.partKey(parts.length), job.compression, job.zstdLevel, quote, job.cipher);
      }
    }
    if (rowsToSkip > 0 && skippedRows) throw new ResumedPrefixChanged(`${job.table.schema}.${job.table.name}: fewer rows than the stored parts hold`);
    // An empty table, or the rows after the last cut, still make a (possibly empty) part,
    // so every table has at least one part and the part list has no gaps.
    if (current.rawBytes > 0 || parts.length === 0) await closePart();
    else current.abort(new Error('unused part'));
  } catch (error) {
    current.abort(error as Error);
    throw error;
  }
  // The server counts the rows it sent; ours must agree, or the parts' row counts are wrong.
  if (copy.rowCount !== countedRows) throw new Error(`${job.table.schema}.${job.table.name}: COPY sent ${copy.rowCount} rows but ${countedRows} were counted`);
  return parts;
}
