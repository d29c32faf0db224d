import type { Readable, Writable } from 'node:stream';

/** What a store knows about one object. */
export interface ObjectStat {
  /** Relative to the store's `url`, `/`-separated, never starting or ending with `/`. */
  readonly key: string;
  readonly size: number;
  /** Changes on every overwrite (GCS generation; a commit timestamp for local folders). */
  readonly generation?: string;
  readonly md5Base64?: string;
  /** Big-endian CRC32C, base64, as GCS reports it. */
  readonly crc32cBase64?: string;
  /** GCS storage class; absent for local folders. */
  readonly storageClass?: string;
  /** ISO-8601 time of the last write. */
  readonly updated?: string;
  /** The custom metadata given to the last write (never merged with an earlier version's). */
  readonly metadata: Readonly<Record<string, string>>;
}

export interface WriteOptions {
  readonly contentType?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

export const STORAGE_CLASSES = ['STANDARD', 'NEARLINE', 'COLDLINE', 'ARCHIVE'] as const;
export type StorageClass = (typeof STORAGE_CLASSES)[number];

/** A writer's scratch file that a killed process left behind, never committed as an object. */
export interface OrphanedTemporary {
  /** `/`-separated, relative to the store's `url`; its last segment starts with `.~tmp-`. */
  readonly name: string;
  readonly bytes: number;
  /** ISO-8601 time of its last write. */
  readonly modifiedAt: string;
}

/** Bytes `start` to `end`, both inclusive; no `end` reads to the end of the object. */
export interface ByteRange {
  readonly start: number;
  readonly end?: number;
}

/**
 * Where backups live: a bucket prefix or a local folder, behind one contract that both
 * drivers pass (test/storage/object-store-contract.ts).
 *
 * Keys are `/`-separated relative paths (see `assertValidKey`); segments `.`, `..` and
 * segments starting with `.~` (reserved for the drivers' bookkeeping) are refused with
 * `INPUT_INVALID` (thrown at once by the stream methods). Failures are
 * `RestorepointError`s: `OBJECT_MISSING`, `INPUT_INVALID`, `CHECKSUM_MISMATCH`,
 * `NOT_AUTHORIZED`, `CONFIG_INVALID` (the bucket does not exist) or the retryable
 * `STORAGE_UNAVAILABLE`.
 */
export interface ObjectStore {
  /** e.g. `gs://bucket/prefix` or `file:///abs/dir`; keys are relative to it. */
  readonly url: string;

  /**
   * A Writable for `pipeline()`. The object becomes visible atomically, and only when the
   * stream finishes successfully; a stream that errors or is destroyed before `end()`
   * leaves no object and no visible partial (an existing object under the key is kept).
   * Overwrites an existing key.
   */
  openWrite(key: string, options?: WriteOptions): Writable;

  /**
   * Streams the object, or the inclusive byte `range` of it. The stream fails with
   * `OBJECT_MISSING` if the object is absent, and with `INPUT_INVALID` if `range.start`
   * is not inside the object.
   */
  openRead(key: string, range?: ByteRange): Readable;

  /** `undefined` when there is no object under `key`. */
  stat(key: string): Promise<ObjectStat | undefined>;

  /**
   * Every object whose key starts with `prefix` (a plain string prefix, not a folder:
   * `'a'` matches `ab/c`), in ascending (UTF-8 byte) key order. Objects whose names are
   * not valid keys (made by other tools) are skipped.
   */
  list(prefix: string): AsyncIterable<ObjectStat>;

  /** Idempotent: deleting a missing object is fine. */
  delete(key: string): Promise<void>;

  /**
   * GCS storage-class tiering: a server-side rewrite keeping bytes and metadata (a new
   * generation, so the new class's minimum storage duration starts again); a no-op for
   * local folders. Fails with `OBJECT_MISSING` if the object is absent.
   */
  setStorageClass(key: string, storageClass: StorageClass): Promise<void>;

  /** Writes a small object in one go and returns its stat. */
  putBytes(key: string, bytes: Buffer, options?: WriteOptions): Promise<ObjectStat>;

  /** Reads a whole (small) object into memory; `OBJECT_MISSING` if absent. */
  getBytes(key: string): Promise<Buffer>;

  /**
   * Scratch files of writes that never finished and were last written before `olderThan`: a
   * writer killed with SIGKILL cannot remove its own. Absent on GCS, which shows no partial
   * uploads; local folders have them (`.~tmp-*` beside the target).
   */
  listOrphanedTemporaries?(olderThan: Date): AsyncIterable<OrphanedTemporary>;

  /**
   * Removes one such file if it is still there and still last written before `olderThan` (a
   * writer that woke up again keeps it); true when it was removed. Any other name is refused.
   */
  removeOrphanedTemporary?(name: string, olderThan: Date): Promise<boolean>;
}
