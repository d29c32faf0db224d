import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { asTypedDatabaseError, isRestorepointError, RestorepointError, sqlStateOf } from '../../core/errors';
import type { Compression } from '../../core/export-input';
import type { ManifestPart } from '../../core/manifest';
import type { ObjectCipher } from '../../crypto/object-cipher';
import type { ObjectStore } from '../../storage/object-store';
import { ChecksumStream } from '../../streams/checksum-stream';
import { createDecompressor } from '../../streams/compression';
import { compareChecksums, describeCheck, verifyObject } from './verify-object';

/**
 * Streams one stored part into `copyStatement` (a COPY ... FROM STDIN) on a client inside
 * an open transaction, hashing the stored bytes on the way. A part whose checksums differ
 * from the manifest throws CHECKSUM_MISMATCH; one whose bytes match them but load another
 * row count than the manifest's throws DATA_UNDECODABLE (intact bytes that do not hold what
 * the manifest says they hold). Either way the caller rolls back: rows of a bad part are never
 * committed. Any other failure keeps its cause (see `loadFailure`): CHECKSUM_MISMATCH means a
 * checksum mismatched, and nothing else.
 */
export async function loadPart(client: pg.ClientBase, store: ObjectStore, part: ManifestPart, compression: Compression, copyStatement: string, cipher?: ObjectCipher): Promise<number> {
  const checksum = new ChecksumStream();
  const source = store.openRead(part.key);
  const decrypt = cipher ? [cipher.decryptor(part.key)] : [];
  const decoder = createDecompressor(compression);
  const sink = client.query(copyFrom(copyStatement));
  // Which stage failed first: a failing stream makes pipeline() destroy the others with its error.
  let failedStage: Stage | null = null;
  for (const [stage, stream] of [['read', source], ...decrypt.map((d) => ['decrypt', d] as const), ['decode', decoder], ['load', sink]] as const) stream.once('error', () => (failedStage ??= stage));
  try {
    await pipeline(source, checksum, ...decrypt, decoder, sink);
  } catch (error) {
    throw await loadFailure(store, part, error, failedStage ?? 'load');
  }
  const check = compareChecksums({ key: part.key, bytes: part.bytes, sha256: part.sha256, crc32c: part.crc32c }, checksum.result());
  if (check.status !== 'ok') throw new RestorepointError('CHECKSUM_MISMATCH', `${describeCheck(check)}; nothing was committed`, { ...check });
  const loaded = (sink as unknown as { rowCount: number }).rowCount;
  if (loaded !== part.rows) {
    throw new RestorepointError('DATA_UNDECODABLE', `${part.key}: matches its checksums but loads ${loaded} rows, the manifest says ${part.rows}; nothing was committed`, {
      key: part.key,
      rows: loaded,
      expectedRows: part.rows,
    });
  }
  return loaded;
}

/**
 * Why loading a part failed, typed. Storage errors arrive typed from the driver and a
 * database error is typed by its SQLSTATE (`asTypedDatabaseError`: a missing schema is
 * SCHEMA_NOT_FOUND, a lost connection stays retryable, rows refused are RESTORE_FAILED with
 * their SQLSTATE). A decoder's error or bad data (class 22) may be damage, so the stored
 * object is read back once: when it differs from its checksums that is the cause
 * (CHECKSUM_MISMATCH); an intact object that cannot be decoded is DATA_UNDECODABLE, one that
 * does not decrypt DECRYPTION_FAILED.
 */
async function loadFailure(store: ObjectStore, part: ManifestPart, error: unknown, stage: Stage): Promise<unknown> {
  const sqlState = sqlStateOf(error);
  const context = `${part.key}: cannot be loaded`;
  const typed = (): unknown => {
    const result = asTypedDatabaseError(error, 'RESTORE_FAILED', context);
    return isRestorepointError(result) ? withNothingCommitted(result) : result;
  };
  const mayBeDamage = stage === 'decrypt' || (stage === 'decode' && !isRestorepointError(error) && sqlState === null) || (sqlState !== null && sqlState.startsWith('22'));
  if (!mayBeDamage) return typed();
  const check = await verifyObject(store, part).catch(() => null);
  if (check !== null && check.status !== 'ok') return new RestorepointError('CHECKSUM_MISMATCH', `${describeCheck(check)}; nothing was committed`, { ...check });
  // Intact bytes that do not authenticate: another key, or an object moved or re-hashed (DECRYPTION_FAILED).
  if (sqlState !== null || stage === 'decrypt') return typed();
  return new RestorepointError('DATA_UNDECODABLE', `${part.key}: matches its checksums but cannot be decoded (${(error as Error).message}); nothing was committed`, { key: part.key });
}

type Stage = 'read' | 'decrypt' | 'decode' | 'load';

function withNothingCommitted(error: RestorepointError): RestorepointError {
  return new RestorepointError(error.code, `${error.message}; nothing was committed`, error.details);
}
