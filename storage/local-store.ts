import { open, readdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { RestorepointError } from '../core/errors';
import {
  assertValidKey,
  assertValidPrefix,
  assertValidRange,
  assertValidStorageClass,
  isValidKey,
  RESERVED_SEGMENT_PREFIX,
} from './argument-checks';
import { deferredReadable, putBytesVia, readAll } from './byte-streams';
import { localStoreError } from './local-errors';
import { readSidecar, sidecarPath } from './local-sidecar';
import { findOrphanedTemporaries, removeOrphanedTemporary } from './local-orphans';
import { LocalObjectWriter } from './local-writer';
import type { ByteRange, ObjectStat, ObjectStore, OrphanedTemporary, StorageClass, WriteOptions } from './object-store';

/**
 * The `file://` driver: each object is a plain file under the root folder (so a backup
 * can be inspected or copied with ordinary tools), its metadata and write-time hashes in
 * a hidden sidecar. The folder is created on first write. `contentType` is not kept:
 * nothing reads it back from a folder.
 *
 * Unlike GCS, a key cannot be both an object and a folder of other objects (`a` and
 * `a/b`); the second write fails with `INPUT_INVALID`. Emptied folders are left in place:
 * pruning them would race with a concurrent write into the same folder.
 */
export class LocalStore implements ObjectStore {
  readonly url: string;
  readonly #root: string;

  constructor(directory: string) {
    this.#root = path.resolve(directory);
    this.url = pathToFileURL(this.#root).href;
  }

  openWrite(key: string, options: WriteOptions = {}): Writable {
    assertValidKey(key);
    return new LocalObjectWriter(this.#pathOf(key), key, options.metadata ?? {});
  }

  openRead(key: string, range?: ByteRange): Readable {
    assertValidKey(key);
    if (range) assertValidRange(range);
    const file = this.#pathOf(key);
    return deferredReadable(async () => {
      const handle = await open(file, 'r');
      try {
        const info = await handle.stat();
        if (!info.isFile()) throw new RestorepointError('OBJECT_MISSING', `no object ${key} in ${this.url}`, { key });
        const { size } = info;
        if (range && range.start >= size) {
          throw new RestorepointError('INPUT_INVALID', `range starts at ${range.start}, past the end of ${key} (${size} bytes)`, { key, size });
        }
        return handle.createReadStream({ start: range?.start, end: range?.end });
      } catch (error) {
        await handle.close();
        throw error;
      }
    }, (error) => localStoreError(error, key));
  }

  async stat(key: string): Promise<ObjectStat | undefined> {
    assertValidKey(key);
    const file = this.#pathOf(key);
    try {
      const info = await stat(file);
      if (!info.isFile()) return undefined;
      const sidecar = await readSidecar(file, info.size);
      return {
        key,
        size: info.size,
        generation: sidecar?.generation,
        md5Base64: sidecar?.md5Base64,
        crc32cBase64: sidecar?.crc32cBase64,
        updated: info.mtime.toISOString(),
        metadata: sidecar?.metadata ?? {},
      };
    } catch (error) {
      if (isAbsence(error)) return undefined;
      throw localStoreError(error, key);
    }
  }

  listOrphanedTemporaries(olderThan: Date): AsyncIterable<OrphanedTemporary> {
    return findOrphanedTemporaries(this.#root, olderThan);
  }

  removeOrphanedTemporary(name: string, olderThan: Date): Promise<boolean> {
    return removeOrphanedTemporary(this.#root, name, olderThan);
  }

  async *list(prefix: string): AsyncIterable<ObjectStat> {
    assertValidPrefix(prefix);
    const keys = await this.#keysUnder(prefix.slice(0, prefix.lastIndexOf('/') + 1), prefix);
    for (const key of keys.sort(byteOrder)) {
      const found = await this.stat(key);
      if (found) yield found;
    }
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    const file = this.#pathOf(key);
    // Data first: once it is gone the object is gone, whatever happens to the sidecar.
    for (const victim of [file, sidecarPath(file)]) {
      await unlink(victim).catch((error: unknown) => {
        if (!isAbsence(error)) throw localStoreError(error, key, 'STORAGE_UNAVAILABLE');
      });
    }
  }

  async setStorageClass(key: string, storageClass: StorageClass): Promise<void> {
    assertValidStorageClass(storageClass);
    if (!(await this.stat(key))) throw new RestorepointError('OBJECT_MISSING', `no object ${key} in ${this.url}`, { key });
  }

  putBytes(key: string, bytes: Buffer, options?: WriteOptions): Promise<ObjectStat> {
    return putBytesVia(this, key, bytes, options);
  }

  getBytes(key: string): Promise<Buffer> {
    return readAll(this.openRead(key));
  }

  #pathOf(key: string): string {
    return path.join(this.#root, ...key.split('/'));
  }

  /** Keys of the files under `folderKey` (`''` or ending in `/`) that start with `prefix`. */
  async #keysUnder(folderKey: string, prefix: string): Promise<string[]> {
    let entries;
    try {
      entries = await readdir(path.join(this.#root, folderKey), { withFileTypes: true });
    } catch (error) {
      if (isAbsence(error)) return [];
      throw localStoreError(error, folderKey, 'STORAGE_UNAVAILABLE');
    }
    const keys: string[] = [];
    for (const entry of entries) {
      if (entry.name.startsWith(RESERVED_SEGMENT_PREFIX)) continue;
      const key = folderKey + entry.name;
      if (entry.isDirectory()) {
        const folder = `${key}/`;
        if (folder.startsWith(prefix) || prefix.startsWith(folder)) keys.push(...(await this.#keysUnder(folder, prefix)));
      } else if (entry.isFile() && key.startsWith(prefix) && isValidKey(key)) {
        keys.push(key);
      }
    }
    return keys;
  }
}

/** GCS lists names in UTF-8 byte order; so does this driver. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function isAbsence(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}
