import { PassThrough, type Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { RestorepointError } from '../core/errors';
import type { ObjectStat, ObjectStore, WriteOptions } from './object-store';

/**
 * A Readable handed out at once for a source that needs async work before it can be read
 * (checking a file's size, reaching a bucket). Errors from opening and from the source go
 * through `mapError`, so consumers only ever see the store's typed errors; destroying the
 * returned stream destroys the source.
 */
export function deferredReadable(open: () => Promise<Readable>, mapError: (error: unknown) => Error): Readable {
  const output = new PassThrough();
  let source: Readable | undefined;
  output.once('close', () => source?.destroy());
  open().then(
    (opened) => {
      source = opened;
      if (output.destroyed) {
        opened.destroy();
        return;
      }
      // `on`, not `once`: a source torn down after its first error may report another.
      opened.on('error', (error) => output.destroy(mapError(error)));
      opened.pipe(output);
    },
    (error: unknown) => output.destroy(mapError(error)),
  );
  return output;
}

export async function readAll(readable: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of readable) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** `putBytes` for any driver: one write of the whole object, then the stat of what landed. */
export async function putBytesVia(
  store: Pick<ObjectStore, 'url' | 'openWrite' | 'stat'>,
  key: string,
  bytes: Buffer,
  options?: WriteOptions,
): Promise<ObjectStat> {
  const writable = store.openWrite(key, options);
  writable.end(bytes);
  await finished(writable);
  const written = await store.stat(key);
  if (!written) throw new RestorepointError('OBJECT_MISSING', `${key} vanished from ${store.url} right after it was written`, { key });
  return written;
}
