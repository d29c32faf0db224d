import { createHash } from 'node:crypto';
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { RestorepointError } from '../core/errors';
import { Crc32c } from './crc32c';
import { localStoreError } from './local-errors';
import { tempPathBeside, writeSidecar } from './local-sidecar';

/**
 * Writes one object of a local store: bytes go to a temp file beside the target, and only
 * `_final` makes them visible (fsync, sidecar, rename, fsync of the folder). A stream that
 * errors or is destroyed first removes its temp file, so readers never see a partial
 * object and an existing one under the key is untouched.
 *
 * Commit order: the sidecar is renamed before the data, so an object never becomes
 * visible without its metadata; a crash between the two renames can at worst leave a new
 * sidecar beside the old data, which `readSidecar`'s size check usually discards.
 */
export class LocalObjectWriter extends Writable {
  readonly #target: string;
  readonly #key: string;
  readonly #metadata: Readonly<Record<string, string>>;
  readonly #tempPath: string;
  readonly #md5 = createHash('md5');
  readonly #crc32c = new Crc32c();
  #size = 0;
  #handle: FileHandle | undefined;
  #committed = false;

  constructor(target: string, key: string, metadata: Readonly<Record<string, string>>) {
    super();
    this.#target = target;
    this.#key = key;
    this.#metadata = metadata;
    this.#tempPath = tempPathBeside(target);
  }

  override _construct(callback: (error?: Error | null) => void): void {
    this.#settle(async () => {
      await mkdir(path.dirname(this.#target), { recursive: true });
      // Fail before streaming gigabytes, and before the commit could rename a sidecar
      // beside a folder that the data rename would then refuse to replace.
      const existing = await stat(this.#target).catch(() => undefined);
      if (existing?.isDirectory()) {
        throw new RestorepointError('INPUT_INVALID', `key ${this.#key} is a folder of other keys in the local store`, { key: this.#key });
      }
      this.#handle = await open(this.#tempPath, 'wx');
    }, callback);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#settle(async () => {
      const handle = this.#openHandle();
      for (let offset = 0; offset < chunk.length; ) {
        const { bytesWritten } = await handle.write(chunk, offset);
        offset += bytesWritten;
      }
      this.#md5.update(chunk);
      this.#crc32c.update(chunk);
      this.#size += chunk.length;
    }, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#settle(async () => {
      const handle = this.#openHandle();
      await handle.sync();
      await handle.close();
      this.#handle = undefined;
      await writeSidecar(this.#target, {
        generation: microsecondsNow(),
        size: this.#size,
        md5Base64: this.#md5.digest('base64'),
        crc32cBase64: this.#crc32c.base64(),
        metadata: { ...this.#metadata },
      });
      await rename(this.#tempPath, this.#target);
      this.#committed = true;
      await syncFolder(path.dirname(this.#target));
    }, callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const handle = this.#handle;
    this.#handle = undefined;
    const cleanup = async (): Promise<void> => {
      await handle?.close();
      if (!this.#committed) await rm(this.#tempPath, { force: true });
    };
    cleanup().then(
      () => callback(error),
      () => callback(error),
    );
  }

  #openHandle(): FileHandle {
    if (!this.#handle) throw new Error(`LocalObjectWriter for ${this.#key} used without an open file`);
    return this.#handle;
  }

  #settle(work: () => Promise<void>, callback: (error?: Error | null) => void): void {
    work().then(
      () => callback(),
      (error: unknown) => callback(localStoreError(error, this.#key, 'STORAGE_UNAVAILABLE')),
    );
  }
}

/** A renamed entry is durable only once its folder is synced too. */
async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Like a GCS generation: microseconds since the epoch, distinct for each overwrite. */
function microsecondsNow(): string {
  return String(Math.round((performance.timeOrigin + performance.now()) * 1000));
}
