import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { isRestorepointError, RestorepointError } from '../../core/errors';
import type { ManifestPart, ManifestTable, ParquetColumn, ParquetMapping } from '../../core/manifest';
import { qualifiedName, quoteIdent } from '../../postgres/queryable';
import type { ObjectCipher } from '../../crypto/object-cipher';
import type { ObjectStore } from '../../storage/object-store';
import { ChecksumStream } from '../../streams/checksum-stream';
import { parquetColumnNames, parquetToCsv } from '../export/parquet-duckdb';
import { parquetColumn, pgRestoreExpression } from '../export/parquet-type-mapping';
import { compareChecksums, describeCheck, verifyObject } from './verify-object';

const STAGING = 'restorepoint_parquet';

/**
 * The mapping a table's Parquet parts were written with, checked before any row moves: the
 * manifest must record one, it must cover exactly the table's exported columns, and every
 * column's mapping must be one this version reads back losslessly (docs/parquet.md).
 * Anything else is PARQUET_UNSUPPORTED, naming the columns and their types.
 */
export function parquetRestoreMapping(mapping: ParquetMapping | undefined, table: Pick<ManifestTable, 'schema' | 'name' | 'columns'>): ParquetColumn[] {
  const key = `${table.schema}.${table.name}`;
  const recorded = mapping?.tables[key];
  if (!recorded) throw new RestorepointError('PARQUET_UNSUPPORTED', `${key}: the manifest records no Parquet type mapping for this table, so its parts cannot be restored`, { table: key });
  const exported = table.columns.filter((c) => c.generated === null);
  const unsupported = exported.filter((column, i) => {
    const used = recorded[i];
    const known = parquetColumn(column);
    return !used || used.name !== column.name || used.pgType !== column.type || used.parquetType !== known.parquetType || used.encoding !== known.encoding;
  });
  if (unsupported.length > 0 || recorded.length !== exported.length) {
    const names = unsupported.map((c) => `${c.name} (${c.type})`).join(', ') || `${recorded.length} mapped columns for ${exported.length} exported`;
    throw new RestorepointError('PARQUET_UNSUPPORTED', `${key}: cannot restore Parquet columns ${names}: their recorded mapping is not one this version reads back losslessly`, {
      table: key,
      columns: unsupported.map((c) => ({ name: c.name, type: c.type })),
    });
  }
  return recorded;
}

/**
 * Reads every value of a downloaded Parquet part back through the mapping's restore form
 * into `csvPath` and returns the rows read. The file must hold exactly the mapped columns,
 * in order (else PARQUET_UNSUPPORTED); a file DuckDB cannot read throws DuckDB's error.
 */
export async function decodeParquetPart(key: string, parquetPath: string, csvPath: string, columns: readonly ParquetColumn[]): Promise<number> {
  const stored = await parquetColumnNames(parquetPath);
  if (stored.join('\u0000') !== columns.map((c) => c.name).join('\u0000')) {
    throw new RestorepointError('PARQUET_UNSUPPORTED', `${key}: holds columns ${stored.join(', ')}, the manifest maps ${columns.map((c) => c.name).join(', ')}`, { key });
  }
  return parquetToCsv(parquetPath, csvPath, columns);
}

/**
 * Loads one Parquet part into `schema.table` inside the caller's transaction. The stored
 * bytes are downloaded to a local file and hashed on the way; a part whose sha256, crc32c
 * or size differ from the manifest is refused (CHECKSUM_MISMATCH) before any row is read.
 * DuckDB then writes the rows as CSV of the mapping's restore form, which lands in a
 * staging table and becomes typed rows with one INSERT ... SELECT of casts.
 */
export async function loadParquetPart(
  client: pg.ClientBase,
  store: ObjectStore,
  into: { readonly schema: string; readonly name: string },
  table: ManifestTable,
  part: ManifestPart,
  mapping: ParquetMapping | undefined,
  cipher?: ObjectCipher,
): Promise<number> {
  const columns = parquetRestoreMapping(mapping, table);
  const workDir = await mkdtemp(path.join(tmpdir(), 'restorepoint-parquet-'));
  try {
    const parquetPath = path.join(workDir, 'part.parquet');
    const checksum = new ChecksumStream();
    try {
      await pipeline(store.openRead(part.key), checksum, ...(cipher ? [cipher.decryptor(part.key)] : []), createWriteStream(parquetPath));
    } catch (error) {
      if (isRestorepointError(error) && error.code === 'DECRYPTION_FAILED') {
        // Say which came first: bytes that differ from their checksums, or intact bytes under another key.
        const check = await verifyObject(store, part).catch(() => null);
        if (check !== null && check.status !== 'ok') throw new RestorepointError('CHECKSUM_MISMATCH', `${describeCheck(check)}; nothing was committed`, { ...check });
        throw error;
      }
      throw readFailure(part.key, error);
    }
    const check = compareChecksums({ key: part.key, bytes: part.bytes, sha256: part.sha256, crc32c: part.crc32c }, checksum.result());
    if (check.status !== 'ok') throw new RestorepointError('CHECKSUM_MISMATCH', `${describeCheck(check)}; nothing was committed`, { ...check });

    const csvPath = path.join(workDir, 'part.csv');
    const read = await decodeParquetPart(part.key, parquetPath, csvPath, columns);
    await rm(parquetPath, { force: true });
    if (read !== part.rows) throw new RestorepointError('DATA_UNDECODABLE', `${part.key}: matches its checksums but holds ${read} rows, the manifest says ${part.rows}; nothing was committed`, { key: part.key });

    const staged = columns.map((_, i) => `c${i}`);
    await client.query(`drop table if exists pg_temp.${STAGING}`);
    await client.query(`create temporary table ${STAGING} (${staged.map((c) => `${quoteIdent(c)} text`).join(', ')}) on commit drop`);
    const sink = client.query(copyFrom(`copy ${STAGING} from stdin (format csv)`));
    await pipeline(createReadStream(csvPath), sink);
    const target = qualifiedName(into.schema, into.name);
    // Identity ALWAYS columns take the stored values, as the CSV path's COPY does.
    const overriding = table.columns.some((c) => c.identity === 'always') ? ' overriding system value' : '';
    const inserted = await client.query(
      `insert into ${target} (${columns.map((c) => quoteIdent(c.name)).join(', ')})${overriding} select ${columns.map((c, i) => pgRestoreExpression(c, staged[i]!)).join(', ')} from ${STAGING}`,
    );
    if (inserted.rowCount !== part.rows) throw new RestorepointError('DATA_UNDECODABLE', `${part.key}: matches its checksums but loads ${inserted.rowCount} rows, the manifest says ${part.rows}; nothing was committed`, { key: part.key });
    return part.rows;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/**
 * Why a part could not be downloaded: the store driver's own typed error (OBJECT_MISSING,
 * STORAGE_UNAVAILABLE, …) keeps its code; anything untyped (the local work file, a stream cut
 * short) is STORAGE_UNAVAILABLE, retried. Never CHECKSUM_MISMATCH: no checksum was compared.
 */
function readFailure(key: string, error: unknown): RestorepointError {
  const cause = (error as Error).message;
  if (isRestorepointError(error)) return new RestorepointError(error.code, `${cause}; nothing was committed`, { ...error.details, key });
  return new RestorepointError('STORAGE_UNAVAILABLE', `${key}: cannot be read (${cause}); nothing was committed`, { key });
}
