import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isRestorepointError } from '../../core/errors';
import type { ObjectCipher } from '../../crypto/object-cipher';
import type { ObjectStore } from '../../storage/object-store';
import { ChecksumStream } from '../../streams/checksum-stream';

export interface ExpectedObject {
  readonly key: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly crc32c?: string;
}

/** A stored object's check, as data: what was expected and what was found. */
export type ObjectCheck =
  | { readonly key: string; readonly status: 'ok'; readonly bytes: number }
  | { readonly key: string; readonly status: 'missing' }
  | { readonly key: string; readonly status: 'size mismatch'; readonly expected: number; readonly actual: number }
  | { readonly key: string; readonly status: 'checksum mismatch'; readonly algorithm: 'sha256' | 'crc32c'; readonly expected: string; readonly actual: string };

/**
 * Streams an object back and recomputes its sha256 and CRC32C. With a `cipher`, the same pass
 * decrypts it too: an object that matches its checksums but whose chunks do not authenticate
 * throws DECRYPTION_FAILED (before a restore loads a row); one that fails decryption because its
 * bytes changed is a checksum mismatch (read again, hashing only). Only I/O faults and that throw.
 */
export async function verifyObject(store: ObjectStore, expected: ExpectedObject, cipher?: ObjectCipher): Promise<ObjectCheck> {
  const stat = await store.stat(expected.key);
  if (!stat) return { key: expected.key, status: 'missing' };
  if (stat.size !== expected.bytes) return { key: expected.key, status: 'size mismatch', expected: expected.bytes, actual: stat.size };
  const checksum = new ChecksumStream();
  try {
    await pipeline([store.openRead(expected.key), checksum, ...(cipher ? [cipher.decryptor(expected.key)] : []), discard()]);
  } catch (error) {
    if (!isRestorepointError(error) || error.code !== 'DECRYPTION_FAILED') throw error;
    const check = await verifyObject(store, expected);
    if (check.status === 'ok') throw error;
    return check;
  }
  return compareChecksums(expected, checksum.result());
}

const discard = () => new Writable({ write: (_chunk, _enc, done) => done() });

export function compareChecksums(expected: ExpectedObject, actual: { bytes: number; sha256: string; crc32c: string }): ObjectCheck {
  if (actual.bytes !== expected.bytes) return { key: expected.key, status: 'size mismatch', expected: expected.bytes, actual: actual.bytes };
  if (actual.sha256 !== expected.sha256) return { key: expected.key, status: 'checksum mismatch', algorithm: 'sha256', expected: expected.sha256, actual: actual.sha256 };
  if (expected.crc32c !== undefined && actual.crc32c !== expected.crc32c) {
    return { key: expected.key, status: 'checksum mismatch', algorithm: 'crc32c', expected: expected.crc32c, actual: actual.crc32c };
  }
  return { key: expected.key, status: 'ok', bytes: actual.bytes };
}

/** One line naming the object and what differed, for errors and reports. */
export function describeCheck(check: ObjectCheck): string {
  switch (check.status) {
    case 'ok':
      return `${check.key}: ok`;
    case 'missing':
      return `${check.key}: missing`;
    case 'size mismatch':
      return `${check.key}: size mismatch (expected ${check.expected} bytes, found ${check.actual})`;
    case 'checksum mismatch':
      return `${check.key}: ${check.algorithm} mismatch (expected ${check.expected}, found ${check.actual})`;
  }
}
