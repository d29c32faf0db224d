import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { VerifiedObject } from '../../catalog/verification-repo';
import { isRestorepointError } from '../../core/errors';
import type { ObjectVerdict } from '../../core/verification/object-verdict';
import { levelCovers, type VerificationLevel } from '../../core/verification/verification-level';
import type { ObjectCipher } from '../../crypto/object-cipher';
import type { ObjectStat, ObjectStore } from '../../storage/object-store';
import { throttled, type ByteRateLimit } from '../../streams/byte-rate-limit';
import { ChecksumStream, type Checksums } from '../../streams/checksum-stream';
import { expectationsOf, type ExpectedObject } from './expected-objects';
import { openPartDecoder, type PartDecoder, type PartDecoding } from './part-decoder';

export interface CheckOptions {
  /** Set to decode the object (decompress and parse, or read back as Parquet) and count its rows: the decode level and deeper. */
  readonly decode?: PartDecoding;
  /** The object's last successful verification, for an incremental run to skip it if unchanged. */
  readonly prior?: VerifiedObject;
  /** The level this check proves; a prior verification skips it only if at least as deep. */
  readonly level: VerificationLevel;
  /** The export's data key, to decode an encrypted part. */
  readonly cipher?: ObjectCipher;
  /** Shared by the run's reads: each waits its turn before passing bytes on. */
  readonly rateLimit?: ByteRateLimit;
}

export interface CheckedObject {
  readonly verdict: ObjectVerdict;
  /** What the store reported, when the object exists. */
  readonly stat?: ObjectStat;
}

/**
 * Reads one object back and compares it with every record of it: size, sha256 and CRC32C
 * against the catalog, then the manifest; with `decode`, also its parsed rows. Differences
 * are verdicts; only faults (a store that does not answer) throw, so Temporal retries them.
 */
export async function checkObject(store: ObjectStore, expected: ExpectedObject, options: CheckOptions): Promise<CheckedObject> {
  const { key, kind } = expected;
  const stat = await store.stat(key);
  if (!stat) return { verdict: { key, kind, status: 'missing' } };
  if (options.prior && unchangedSince(options.prior, stat, trustedSha256(expected), options.level)) {
    return { stat, verdict: { key, kind, status: 'unchanged', verifiedAt: options.prior.verifiedAt.toISOString(), level: options.prior.level } };
  }
  for (const [against, record] of expectationsOf(expected)) {
    if (record.bytes !== stat.size) return { stat, verdict: { key, kind, status: 'size mismatch', against, expected: record.bytes, actual: stat.size } };
  }

  if (!options.decode || !expected.table) return readBack(store, expected, stat, undefined, options.rateLimit);
  const decoder = await openPartDecoder(key, options.decode, options.cipher);
  try {
    return await readBack(store, expected, stat, decoder, options.rateLimit);
  } finally {
    await decoder.dispose();
  }
}

/** Streams the object through the checksums (and the decoder, if any) and compares what they found with every record. */
async function readBack(store: ObjectStore, expected: ExpectedObject, stat: ObjectStat, decoder?: PartDecoder, rateLimit?: ByteRateLimit): Promise<CheckedObject> {
  const { key, kind } = expected;
  const checksum = new ChecksumStream();
  try {
    const sink = decoder?.stages ?? ([discard()] as const);
    // The throttle's backpressure slows the read itself, wherever it sits in the pipeline.
    await pipeline(store.openRead(key), checksum, ...(rateLimit ? ([throttled(rateLimit), ...sink] as const) : sink));
  } catch (error) {
    if (isRestorepointError(error) && error.code === 'OBJECT_MISSING') return { verdict: { key, kind, status: 'missing' } };
    if (isRestorepointError(error) && error.code === 'CHECKSUM_MISMATCH') {
      // The store's own download check failed: the bytes differ from what it stored.
      const [against, record] = expectationsOf(expected)[0]!;
      return { stat, verdict: { key, kind, status: 'checksum mismatch', against, algorithm: 'crc32c', expected: record.crc32c ?? stat.crc32cBase64 ?? '', actual: `unreadable (${error.message})` } };
    }
    if (isRestorepointError(error) && error.code === 'DECRYPTION_FAILED') {
      const differs = firstDifference(expected, await checksumsOf(store, key));
      return { stat, verdict: differs ?? { key, kind, status: 'decode error', message: error.message } };
    }
    if (!decoder?.parsesWhileReading || isRestorepointError(error)) throw error;
    // It would not decompress: say whether its bytes differ from the record, the likelier cause.
    const differs = firstDifference(expected, await checksumsOf(store, key));
    return { stat, verdict: differs ?? { key, kind, status: 'decode error', message: (error as Error).message } };
  }
  const differs = firstDifference(expected, checksum.result());
  if (differs) return { stat, verdict: differs };
  if (!decoder) return { stat, verdict: { key, kind, status: 'ok', bytes: stat.size } };
  const parsed = await decoder.result();
  if (parsed.error !== undefined) return { stat, verdict: { key, kind, status: 'decode error', message: parsed.error } };
  for (const [against, record] of expectationsOf(expected)) {
    if (record.rows !== undefined && record.rows !== parsed.rows) return { stat, verdict: { key, kind, status: 'row-count mismatch', against, expected: record.rows, actual: parsed.rows } };
    // Same bytes hashed, same rows counted, yet other rows: only a writer that recorded wrong checksums gets here.
    if (record.fingerprint && parsed.fingerprint && record.fingerprint.sum !== parsed.fingerprint.sum) {
      return { stat, verdict: { key, kind, status: 'checksum mismatch', against, algorithm: 'row fingerprint', expected: record.fingerprint.sum, actual: parsed.fingerprint.sum } };
    }
  }
  return { stat, verdict: { key, kind, status: 'ok', bytes: stat.size, rows: parsed.rows } };
}

/** The sha256 an object must have: the catalog's where it has one, else the manifest's. */
export function trustedSha256(expected: ExpectedObject): string {
  return (expected.catalog ?? expected.manifest)!.sha256;
}

/**
 * True when the store reports exactly the version verified before. Generation changes on
 * every GCS overwrite; a local folder's sidecar does too, and the mtime catches an in-place
 * edit that bypassed the store. Without a generation or checksum, size alone is too weak.
 */
function unchangedSince(prior: VerifiedObject, stat: ObjectStat, sha256: string, level: VerificationLevel): boolean {
  const versioned = stat.generation !== undefined || stat.crc32cBase64 !== undefined || stat.md5Base64 !== undefined;
  return (
    versioned &&
    levelCovers(prior.level, level) &&
    prior.expectedSha256 === sha256 &&
    prior.size === stat.size &&
    prior.generation === (stat.generation ?? null) &&
    prior.updated === (stat.updated ?? null) &&
    prior.crc32c === (stat.crc32cBase64 ?? null) &&
    prior.md5 === (stat.md5Base64 ?? null)
  );
}

function firstDifference(expected: ExpectedObject, actual: Checksums): ObjectVerdict | undefined {
  const { key, kind } = expected;
  for (const [against, record] of expectationsOf(expected)) {
    if (record.bytes !== actual.bytes) return { key, kind, status: 'size mismatch', against, expected: record.bytes, actual: actual.bytes };
    if (record.sha256 !== actual.sha256) return { key, kind, status: 'checksum mismatch', against, algorithm: 'sha256', expected: record.sha256, actual: actual.sha256 };
    if (record.crc32c !== undefined && record.crc32c !== actual.crc32c) {
      return { key, kind, status: 'checksum mismatch', against, algorithm: 'crc32c', expected: record.crc32c, actual: actual.crc32c };
    }
  }
  return undefined;
}

async function checksumsOf(store: ObjectStore, key: string): Promise<Checksums> {
  const checksum = new ChecksumStream();
  await pipeline(store.openRead(key), checksum, discard());
  return checksum.result();
}

function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}
