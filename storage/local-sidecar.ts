import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { RESERVED_SEGMENT_PREFIX } from './argument-checks';
import { TEMP_PREFIX } from './local-orphans';

/**
 * What a local folder cannot keep in the data file itself: the custom metadata and the
 * hashes computed while writing. Stored beside the object as `.~meta-<name>.json`; keys
 * may not contain `.~` segments, so it can never collide with an object and `list()`
 * skips it.
 */
export const sidecarSchema = z.object({
  generation: z.string(),
  size: z.number().int().nonnegative(),
  md5Base64: z.string(),
  crc32cBase64: z.string(),
  metadata: z.record(z.string(), z.string()),
});
export type Sidecar = z.infer<typeof sidecarSchema>;

export function sidecarPath(objectPath: string): string {
  return path.join(path.dirname(objectPath), `${RESERVED_SEGMENT_PREFIX}meta-${path.basename(objectPath)}.json`);
}

/** A unique scratch file in the target's own folder, so the final rename never crosses file systems. */
export function tempPathBeside(objectPath: string): string {
  return path.join(path.dirname(objectPath), `${TEMP_PREFIX}${randomBytes(6).toString('hex')}-${path.basename(objectPath)}`);
}

/**
 * The sidecar of the object at `objectPath` if it describes an object of `size` bytes.
 * The data file is the truth: a missing, unparsable or other-size sidecar (left by a crash
 * between the two renames, or by two writers racing on one key) yields `undefined`
 * rather than metadata and hashes that belong to another version.
 */
export async function readSidecar(objectPath: string, size: number): Promise<Sidecar | undefined> {
  let text: string;
  try {
    text = await readFile(sidecarPath(objectPath), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = sidecarSchema.safeParse(safeJson(text));
  return parsed.success && parsed.data.size === size ? parsed.data : undefined;
}

/** Replaces the sidecar atomically (temp file, fsync, rename). */
export async function writeSidecar(objectPath: string, sidecar: Sidecar): Promise<void> {
  const temp = tempPathBeside(objectPath);
  try {
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(JSON.stringify(sidecar));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, sidecarPath(objectPath));
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
