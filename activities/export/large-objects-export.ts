import type { Compression } from '../../core/export-input';
import type { ManifestLargeObjects, ManifestPart } from '../../core/manifest';
import { objectNames } from '../../core/object-names';
import type { Queryable } from '../../postgres/queryable';
import type { ObjectCipher } from '../../crypto/object-cipher';
import type { ObjectStore } from '../../storage/object-store';
import { PartWriter } from './part-writer';

/** Bytes read from one large object per query: a row of the stream holds at most this many. */
export const LARGE_OBJECT_CHUNK_BYTES = 256 * 1024;

export interface LargeObjectsJob {
  readonly exportId: string;
  readonly compression: Compression;
  readonly zstdLevel: number;
  readonly partSizeBytes: number;
  readonly cipher?: ObjectCipher;
  /** After each row written (heartbeats: one object may take long). */
  onProgress(rows: number, bytes: number): void;
}

/**
 * Streams every large object of the database, as the shared snapshot sees it (`reader` has
 * joined it: `lo_get` reads an object as of the transaction's snapshot), into parts of CSV
 * rows `loid,offset,\x<hex>`, at most LARGE_OBJECT_CHUNK_BYTES of an object a row, cut at
 * rows into parts of about `partSizeBytes` that go through the same compress → encrypt →
 * checksum → upload pipeline as a table's (part-writer.ts). Memory holds one chunk. Returns
 * the manifest's `largeObjects`, or undefined when the database has none. Reading an object
 * needs SELECT on it, as pg_dump does.
 */
export async function exportLargeObjects(reader: Queryable, store: ObjectStore, job: LargeObjectsJob): Promise<ManifestLargeObjects | undefined> {
  const { rows: oids } = await reader.query<{ loid: string }>('select oid::text as loid from pg_largeobject_metadata order by oid');
  if (oids.length === 0) return undefined;
  const parts: ManifestPart[] = [];
  let current = new PartWriter(store, objectNames.largeObjectPart(job.exportId, 0, job.compression), job.compression, job.zstdLevel, 0x22, job.cipher);
  let bytes = 0;
  const closePart = async () => {
    const sums = await current.finish();
    const part: ManifestPart = { key: current.key, partNo: parts.length, rows: current.rows, bytes: sums.bytes, sha256: sums.sha256, crc32c: sums.crc32c, fingerprint: sums.fingerprint };
    parts.push(part);
  };
  try {
    for (const { loid } of oids) {
      for (let offset = 0; ; offset += LARGE_OBJECT_CHUNK_BYTES) {
        const { rows } = await reader.query<{ data: Buffer }>('select lo_get($1::oid, $2::bigint, $3::int) as data', [loid, offset, LARGE_OBJECT_CHUNK_BYTES]);
        const data = rows[0]!.data;
        // An empty object is its one row at offset 0; an object whose size is a multiple of the chunk ends without an empty row.
        if (data.length > 0 || offset === 0) {
          await current.write(Buffer.from(`${loid},${offset},\\x${data.toString('hex')}\n`), 1);
          bytes += data.length;
          job.onProgress(1, data.length);
        }
        if (current.rawBytes >= job.partSizeBytes) {
          await closePart();
          current = new PartWriter(store, objectNames.largeObjectPart(job.exportId, parts.length, job.compression), job.compression, job.zstdLevel, 0x22, job.cipher);
        }
        if (data.length < LARGE_OBJECT_CHUNK_BYTES) break;
      }
    }
    if (current.rawBytes > 0 || parts.length === 0) await closePart();
    else current.abort(new Error('unused part'));
  } catch (error) {
    current.abort(error as Error);
    throw error;
  }
  return { objects: oids.length, bytes, parts };
}
