import { readdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { RestorepointError } from '../core/errors';
import { RESERVED_SEGMENT_PREFIX } from './argument-checks';
import type { OrphanedTemporary } from './object-store';

/** What `tempPathBeside` names its scratch files: nothing else in a folder starts with it. */
export const TEMP_PREFIX = `${RESERVED_SEGMENT_PREFIX}tmp-`;

/** Every `.~tmp-*` file under `root` last written before `olderThan`, names relative to `root`. */
export async function* findOrphanedTemporaries(root: string, olderThan: Date, folder = ''): AsyncIterable<OrphanedTemporary> {
  let entries;
  try {
    entries = await readdir(path.join(root, folder), { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const name = folder === '' ? entry.name : `${folder}/${entry.name}`;
    if (entry.isDirectory()) {
      yield* findOrphanedTemporaries(root, olderThan, name);
    } else if (entry.isFile() && entry.name.startsWith(TEMP_PREFIX)) {
      const info = await stat(path.join(root, name)).catch(() => undefined);
      if (info && info.mtime < olderThan) yield { name, bytes: info.size, modifiedAt: info.mtime.toISOString() };
    }
  }
}

/** Removes `root/name` if it is a scratch file still last written before `olderThan`. */
export async function removeOrphanedTemporary(root: string, name: string, olderThan: Date): Promise<boolean> {
  const segments = name.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..') || !segments.at(-1)!.startsWith(TEMP_PREFIX)) {
    throw new RestorepointError('INPUT_INVALID', `${JSON.stringify(name)} is not a writer's scratch file`, { name });
  }
  const file = path.join(root, ...segments);
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile() || info.mtime >= olderThan) return false;
  await unlink(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  return true;
}
