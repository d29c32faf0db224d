import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { RestorepointError } from '../../core/errors';
import type { Compression } from '../../core/export-input';
import type { ManifestPart } from '../../core/manifest';
import type { ObjectStore } from '../../storage/object-store';
import { ChecksumStream } from '../../streams/checksum-stream';
import { createDecompressor } from '../../streams/compression';
import { compareChecksums, describeCheck } from './verify-object';

/**
 * Streams one stored part into `copyStatement` (a COPY ... FROM STDIN) on a client inside
 * an open transaction, hashing the stored bytes on the way. A part whose checksums or row
 * count differ from the manifest throws CHECKSUM_MISMATCH, and the caller rolls back:
 * rows of a bad part are never committed.
 */
export async function loadPart(client: pg.ClientBase, store: ObjectStore, part: ManifestPart, compression: Compression, copyStatement: string): Promise<number> {
  const checksum = new ChecksumStream();
  const sink = client.query(copyFrom(copyStatement));
  try {
    await pipeline(store.openRead(part.key), checksum, createDecompressor(compression), sink);
  } catch (error) {
    throw new RestorepointError('CHECKSUM_MISMATCH', `${part.key}: cannot be loaded (${(error as Error).message}); nothing was committed`, { key: part.key });
  }
  const check = compareChecksums({ key: part.key, bytes: part.bytes, sha256: part.sha256, crc32c: part.crc32c }, checksum.result());
  if (check.status !== 'ok') throw new RestorepointError('CHECKSUM_MISMATCH', `${describeCheck(check)}; nothing was committed`, { ...check });
  const loaded = (sink as unknown as { rowCount: number }).rowCount;
  if (loaded !== part.rows) {
    throw new RestorepointError('CHECKSUM_MISMATCH', `${part.key}: loaded ${loaded} rows, the manifest says ${part.rows}; nothing was committed`, { key: part.key });
  }
  return loaded;
}
