import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
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
 * Streams an object back and recomputes its sha256 and CRC32C. With a `cipher`, an object that
 * matches them is read once more through the decryption, which throws DECRYPTION_FAILED when any
 * chunk does not authenticate (before a restore loads a row). Only I/O faults and that throw.
 */
export async function verifyObject(store: ObjectStore, expected: ExpectedObject, cipher?: ObjectCipher): Promise<ObjectCheck> {
  const stat = await store.stat(expected.key);
  if (!stat) return { key: expected.key, status: 'missing' };
  if (stat.size !== expected.bytes) return { key: expected.key, status: 'size mismatch', expected: expected.bytes, actual: stat.size };
  const checksum = new ChecksumStream();
  await pipeline(store.openRead(expected.key), checksum, discard());
  const check = compareChecksums(expected, checksum.result());
  if (check.status === 'ok' && cipher) await pipeline(store.openRead(expected.key), cipher.decryptor(expected.key), discard());
  return check;
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
