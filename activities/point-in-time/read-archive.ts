import readline from 'node:readline';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Compression } from '../../core/export-input';
import type { ManifestPart } from '../../core/manifest';
import type { ObjectCipher } from '../../crypto/object-cipher';
import type { ObjectStore } from '../../storage/object-store';
import { ChecksumStream } from '../../streams/checksum-stream';
import { createDecompressor } from '../../streams/compression';
import type { ArchivedEntry } from '../../trail';
import { compareChecksums, describeCheck, type ObjectCheck } from '../restore/verify-object';

export type ArchivePartCheck = { readonly status: 'ok'; readonly entries: number } | { readonly status: 'bad'; readonly problem: string };

/**
 * Streams one archived part back, checking its checksums and entry count against the manifest
 * and handing every entry to `onEntry` in order. A bad part is a result, not an exception.
 */
export async function readArchivePart(
  store: ObjectStore,
  part: ManifestPart,
  compression: Compression,
  cipher: ObjectCipher | undefined,
  onEntry: (entry: ArchivedEntry) => string | null,
): Promise<ArchivePartCheck> {
  const stat = await store.stat(part.key);
  if (!stat) return { status: 'bad', problem: `${part.key}: missing` };
  const checksum = new ChecksumStream();
  const text = new PassThrough();
  const piped = pipeline([store.openRead(part.key), checksum, ...(cipher ? [cipher.decryptor(part.key)] : []), createDecompressor(compression), text]);
  // A failure surfaces through `await piped` below; this keeps one that ends the read early from going unhandled.
  piped.catch(() => undefined);
  let entries = 0;
  let fault: string | null = null;
  try {
    for await (const line of readline.createInterface({ input: text, crlfDelay: Infinity })) {
      if (line === '' || fault) continue;
      entries += 1;
      fault = onEntry(JSON.parse(line) as ArchivedEntry);
    }
    await piped;
  } catch (error) {
    text.destroy();
    return { status: 'bad', problem: `${part.key}: unreadable (${(error as Error).message})` };
  }
  const check: ObjectCheck = compareChecksums(part, checksum.result());
  if (check.status !== 'ok') return { status: 'bad', problem: describeCheck(check) };
  if (fault) return { status: 'bad', problem: `${part.key}: ${fault}` };
  if (entries !== part.rows) return { status: 'bad', problem: `${part.key}: ${entries} entries, the manifest says ${part.rows}` };
  return { status: 'ok', entries };
}
