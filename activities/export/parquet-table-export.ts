import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { RestorepointError } from '../../core/errors';
import type { ManifestPart, ManifestTable, ParquetColumn, ParquetMapping } from '../../core/manifest';
import { describeColumns } from '../../postgres/introspect';
import { qualifiedName } from '../../postgres/queryable';
import type { ObjectStore } from '../../storage/object-store';
import { ChecksumStream } from '../../streams/checksum-stream';
import { RowScanner } from '../../streams/row-scanner';
import { csvToParquet, PARQUET_WRITER } from './parquet-duckdb';
import { parquetColumn, pgExportExpression } from './parquet-type-mapping';
import type { TableExportHooks, TableExportJob } from './table-export';

/** The manifest's record of a Parquet export: the writer and each table's type mapping. */
export function parquetManifestMapping(tables: readonly Pick<ManifestTable, 'schema' | 'name' | 'columns'>[]): ParquetMapping {
  return {
    writer: PARQUET_WRITER,
    tables: Object.fromEntries(tables.map((t) => [`${t.schema}.${t.name}`, t.columns.filter((c) => c.generated === null).map(parquetColumn)])),
  };
}

/** Compression lives inside a Parquet file (its codec), so the object name carries no suffix. */
export function parquetPartKey(key: string): string {
  return key.replace(/\.(zst|gz)$/, '');
}

/**
 * Streams one table into Parquet parts: COPY (in the shared snapshot) writes CSV of the
 * mapped expressions to a local part file, cut at a row boundary once `partSizeBytes` of
 * CSV have arrived; DuckDB turns each part into one Parquet file (row groups written as
 * they fill), which is hashed (sha256, crc32c) while it is uploaded. Memory stays flat;
 * local disk holds at most one part as CSV and as Parquet. Same resume contract as CSV.
 */
export async function exportTableAsParquet(client: pg.ClientBase, store: ObjectStore, job: TableExportJob, hooks: TableExportHooks): Promise<ManifestPart[]> {
  const described = new Map((await describeColumns(client, job.table)).map((c) => [c.name, c]));
  const columns = job.columns.map((name) => parquetColumn(described.get(name) ?? { name, type: 'text' }));
  const parts = [...job.finishedParts];
  let rowsToSkip = parts.reduce((sum, p) => sum + p.rows, 0);
  const scanner = new RowScanner(0x22);
  const only = job.table.kind === 'table' ? 'only ' : '';
  const copy = client.query(copyTo(`copy (select ${columns.map(pgExportExpression).join(', ')} from ${only}${qualifiedName(job.table.schema, job.table.name)}) to stdout (format csv)`));
  const workDir = await mkdtemp(path.join(tmpdir(), 'restorepoint-parquet-'));
  const csvPath = path.join(workDir, 'part.csv');
  let file: FileHandle | undefined;
  let partRows = 0;
  let partBytes = 0;
  let scannedRows = 0;

  const write = async (chunk: Buffer, rows: number) => {
    file ??= await open(csvPath, 'w');
    if (chunk.length > 0) await file.write(chunk);
    partRows += rows;
    partBytes += chunk.length;
  };
  const closePart = async () => {
    await (file ??= await open(csvPath, 'w')).close();
    file = undefined;
    const key = parquetPartKey(job.partKey(parts.length));
    const stored = await storeParquetPart(store, key, csvPath, path.join(workDir, 'part.parquet'), columns, job, partRows, `${job.table.schema}.${job.table.name}`);
    const part: ManifestPart = { key, partNo: parts.length, rows: partRows, ...stored };
    parts.push(part);
    partRows = 0;
    partBytes = 0;
    await hooks.onPart(part);
  };

  try {
    for await (const data of copy as AsyncIterable<Buffer>) {
      let chunk = data;
      if (rowsToSkip > 0) {
        const skipped = scanner.scan(chunk, rowsToSkip);
        rowsToSkip -= skipped.rows;
        scannedRows += skipped.rows;
        if (rowsToSkip > 0 || skipped.lastRowEnd === -1) continue;
        chunk = chunk.subarray(skipped.lastRowEnd);
      }
      const { rows, lastRowEnd } = scanner.scan(chunk);
      scannedRows += rows;
      if (partBytes + chunk.length >= job.partSizeBytes && lastRowEnd !== -1) {
        await write(chunk.subarray(0, lastRowEnd), rows);
        await closePart();
        await write(chunk.subarray(lastRowEnd), 0);
      } else {
        await write(chunk, rows);
      }
      await hooks.onProgress(rows, chunk.length);
    }
    // As for CSV: every table has at least one part (an empty table gets an empty Parquet file).
    if (partBytes > 0 || parts.length === 0) await closePart();
  } finally {
    await file?.close().catch(() => undefined);
    await rm(workDir, { recursive: true, force: true });
  }
  const serverRows = (copy as unknown as { rowCount: number }).rowCount;
  if (serverRows !== scannedRows) throw new Error(`${job.table.schema}.${job.table.name}: COPY sent ${serverRows} rows but ${scannedRows} were counted`);
  return parts;
}

async function storeParquetPart(
  store: ObjectStore,
  key: string,
  csvPath: string,
  parquetPath: string,
  columns: readonly ParquetColumn[],
  job: TableExportJob,
  rows: number,
  table: string,
): Promise<Omit<ManifestPart, 'key' | 'partNo' | 'rows'>> {
  let written: number;
  try {
    written = await csvToParquet(csvPath, parquetPath, columns, job.compression, job.zstdLevel);
  } catch (error) {
    // Only a value DuckDB cannot convert is the data's fault; anything else (memory, disk) may pass on retry.
    if (!/Conversion Error|Invalid Input Error/.test((error as Error).message)) throw new Error(`${table}: DuckDB could not write ${key}: ${(error as Error).message.split('\n')[0]}`);
    // DuckDB's message quotes the offending row: only the column goes into the error (row
    // data never enters workflow history or logs). Its CSV columns are named c0, c1, ...
    const at = /converting column "c(\d+)"/.exec((error as Error).message);
    const column = at ? columns[Number(at[1])] : undefined;
    const what = column ? `column "${column.name}" (${column.pgType}) holds a value ${column.parquetType} cannot store, such as NaN in numeric(p,s)` : `a row does not fit its Parquet column types (${/^[\w ]*Error/.exec((error as Error).message)?.[0] ?? 'DuckDB error'}; a row over 16 MiB as CSV is one cause)`;
    throw new RestorepointError('PARQUET_VALUE_UNREPRESENTABLE', `${table}: ${what}; export it as csv or jsonl instead`, {
      table,
      column: column?.name ?? null,
    });
  }
  if (written !== rows) throw new Error(`${table}: ${rows} rows went into ${key} but DuckDB wrote ${written}`);
  const checksum = new ChecksumStream();
  // An encrypted part is no longer Parquet to anyone without the key: stored as plain bytes.
  const stored = job.cipher ? { stages: [job.cipher.encryptor(key)], contentType: 'application/octet-stream' } : { stages: [], contentType: 'application/vnd.apache.parquet' };
  await pipeline([createReadStream(parquetPath), ...stored.stages, checksum, store.openWrite(key, { contentType: stored.contentType })]);
  await rm(parquetPath, { force: true });
  const sums = checksum.result();
  return { bytes: sums.bytes, sha256: sums.sha256, crc32c: sums.crc32c };
}
