import type { Readable, Writable } from 'node:stream';
import type { Bucket, File, FileMetadata } from '@google-cloud/storage';
import { assertValidKey, assertValidPrefix, assertValidRange, assertValidStorageClass, isValidKey } from './argument-checks';
import { deferredReadable, putBytesVia, readAll } from './byte-streams';
import { gcsClient, type GcsConnection } from './gcs-client';
import { gcsStoreError, httpStatus } from './gcs-errors';
import { GcsObjectWriter } from './gcs-writer';
import type { ByteRange, ObjectStat, ObjectStore, StorageClass, WriteOptions } from './object-store';

export interface GcsLocation {
  readonly bucket: string;
  /** Object-name prefix without leading or trailing `/`; `''` for the bucket's root. */
  readonly prefix: string;
}

const LIST_PAGE_SIZE = 1000;

/**
 * The `gs://` driver. Objects are named `<prefix>/<key>`. Against the emulator a missing
 * bucket is created on first use; against real GCS the bucket must exist (creating one
 * is a decision about location, billing and retention that belongs to the operator), and
 * a missing one fails with `CONFIG_INVALID`.
 */
export class GcsStore implements ObjectStore {
  readonly url: string;
  readonly #bucket: Bucket;
  readonly #namePrefix: string;
  readonly #emulated: boolean;
  #bucketReady: Promise<void> | undefined;

  constructor(location: GcsLocation, connection: GcsConnection) {
    this.#bucket = gcsClient(connection).bucket(location.bucket);
    this.#namePrefix = location.prefix ? `${location.prefix}/` : '';
    this.#emulated = Boolean(connection.emulatorHost);
    this.url = `gs://${location.bucket}${location.prefix ? `/${location.prefix}` : ''}`;
  }

  openWrite(key: string, options: WriteOptions = {}): Writable {
    assertValidKey(key);
    return new GcsObjectWriter({
      file: this.#file(key),
      options,
      ready: () => this.#ready(),
      mapError: (error) => gcsStoreError(error, this.#where(key), 'CONFIG_INVALID'),
    });
  }

  openRead(key: string, range?: ByteRange): Readable {
    assertValidKey(key);
    if (range) assertValidRange(range);
    const file = this.#file(key);
    // Ranged reads cannot be checked against the object's CRC32C; whole reads are.
    return deferredReadable(
      async () => file.createReadStream(range ? { start: range.start, end: range.end, validation: false } : { validation: 'crc32c' }),
      (error) => gcsStoreError(error, this.#where(key)),
    );
  }

  async stat(key: string): Promise<ObjectStat | undefined> {
    assertValidKey(key);
    try {
      const [metadata] = await this.#file(key).getMetadata();
      return toStat(key, metadata);
    } catch (error) {
      if (httpStatus(error) === 404) return undefined;
      throw gcsStoreError(error, this.#where(key));
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectStat> {
    assertValidPrefix(prefix);
    await this.#ready();
    let pageToken: string | undefined;
    do {
      let files: File[];
      try {
        const [page, next] = await this.#bucket.getFiles({
          prefix: this.#namePrefix + prefix,
          autoPaginate: false,
          maxResults: LIST_PAGE_SIZE,
          pageToken,
        });
        files = page;
        pageToken = next?.pageToken;
      } catch (error) {
        throw gcsStoreError(error, `bucket ${this.#bucket.name}`, 'CONFIG_INVALID');
      }
      for (const file of files) {
        const key = file.name.slice(this.#namePrefix.length);
        // Skips names no key could reach, such as the folder placeholders (`a/`) consoles create.
        if (isValidKey(key)) yield toStat(key, file.metadata);
      }
    } while (pageToken);
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    try {
      await this.#file(key).delete({ ignoreNotFound: true });
    } catch (error) {
      throw gcsStoreError(error, this.#where(key));
    }
  }

  async setStorageClass(key: string, storageClass: StorageClass): Promise<void> {
    assertValidKey(key);
    assertValidStorageClass(storageClass);
    try {
      await this.#file(key).setStorageClass(storageClass);
    } catch (error) {
      throw gcsStoreError(error, this.#where(key));
    }
  }

  putBytes(key: string, bytes: Buffer, options?: WriteOptions): Promise<ObjectStat> {
    return putBytesVia(this, key, bytes, options);
  }

  getBytes(key: string): Promise<Buffer> {
    return readAll(this.openRead(key));
  }

  #file(key: string): File {
    return this.#bucket.file(this.#namePrefix + key);
  }

  #where(key: string): string {
    return `object ${this.#namePrefix}${key} in bucket ${this.#bucket.name}`;
  }

  /** Creates the emulator's bucket once; a failed attempt is retried by the next caller. */
  #ready(): Promise<void> {
    if (!this.#emulated) return Promise.resolve();
    this.#bucketReady ??= this.#createEmulatorBucket().catch((error: unknown) => {
      this.#bucketReady = undefined;
      throw gcsStoreError(error, `bucket ${this.#bucket.name}`, 'STORAGE_UNAVAILABLE');
    });
    return this.#bucketReady;
  }

  async #createEmulatorBucket(): Promise<void> {
    const [exists] = await this.#bucket.exists();
    if (exists) return;
    // Another store may create it between our check and our create.
    await this.#bucket.create().catch((error: unknown) => {
      if (httpStatus(error) !== 409) throw error;
    });
  }
}

function toStat(key: string, metadata: FileMetadata): ObjectStat {
  const custom: Record<string, string> = {};
  for (const [name, value] of Object.entries(metadata.metadata ?? {})) {
    if (value !== null && value !== undefined) custom[name] = String(value);
  }
  return {
    key,
    size: Number(metadata.size ?? 0),
    generation: metadata.generation === undefined ? undefined : String(metadata.generation),
    md5Base64: metadata.md5Hash,
    crc32cBase64: metadata.crc32c,
    storageClass: metadata.storageClass,
    updated: metadata.updated,
    metadata: custom,
  };
}
