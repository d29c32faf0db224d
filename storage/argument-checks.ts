import { RestorepointError } from '../core/errors';
import { STORAGE_CLASSES, type ByteRange, type StorageClass } from './object-store';

/** Segments starting with this are the drivers' own files (temp files, metadata sidecars). */
export const RESERVED_SEGMENT_PREFIX = '.~';

// GCS allows 1024 bytes per object name; the store's prefix takes some of that.
const MAX_KEY_BYTES = 900;
// Control characters break object listings and file names; backslashes are folder
// separators on Windows, so a key holding one would not round-trip through a local folder.
const FORBIDDEN_CHARACTERS = /[\u0000-\u001f\u007f\\]/;

/**
 * Refuses keys that would escape a local folder or mean different objects on the two
 * drivers: empty, absolute, `//`, trailing `/`, `.`/`..` segments, reserved segments.
 */
export function assertValidKey(key: string): void {
  const problem = keyProblem(key, { partialLastSegment: false });
  if (problem) throw new RestorepointError('INPUT_INVALID', `invalid object key ${JSON.stringify(key)}: ${problem}`, { key });
}

/** Whether `name` is a valid key; objects made by other tools may not be. */
export function isValidKey(name: string): boolean {
  return keyProblem(name, { partialLastSegment: false }) === undefined;
}

/** A `list()` prefix: empty, or a key's beginning (it may end with `/` or mid-segment). */
export function assertValidPrefix(prefix: string): void {
  if (prefix === '') return;
  const problem = keyProblem(prefix, { partialLastSegment: true });
  if (problem) throw new RestorepointError('INPUT_INVALID', `invalid key prefix ${JSON.stringify(prefix)}: ${problem}`, { prefix });
}

/** Checked at run time too: storage classes arrive from config and workflow inputs. */
export function assertValidStorageClass(storageClass: StorageClass): void {
  if (!STORAGE_CLASSES.includes(storageClass)) {
    throw new RestorepointError('INPUT_INVALID', `unknown storage class ${JSON.stringify(storageClass)}`, { storageClass });
  }
}

export function assertValidRange(range: ByteRange): void {
  const { start, end } = range;
  const valid = Number.isSafeInteger(start) && start >= 0 && (end === undefined || (Number.isSafeInteger(end) && end >= start));
  if (!valid) throw new RestorepointError('INPUT_INVALID', `invalid byte range ${JSON.stringify(range)}`, { start, end });
}

function keyProblem(key: string, { partialLastSegment }: { partialLastSegment: boolean }): string | undefined {
  if (key.length === 0) return 'it is empty';
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) return `it is longer than ${MAX_KEY_BYTES} bytes`;
  if (FORBIDDEN_CHARACTERS.test(key)) return 'it holds a control character or a backslash';
  if (key.startsWith('/')) return 'it starts with /';
  const segments = key.split('/');
  const last = segments.length - 1;
  for (const [index, segment] of segments.entries()) {
    const isLast = index === last;
    if (segment === '' && !(isLast && partialLastSegment)) return 'it has an empty segment (// or a trailing /)';
    if (segment === '..' || (segment === '.' && !(isLast && partialLastSegment))) return 'it has a . or .. segment';
    if (segment.startsWith(RESERVED_SEGMENT_PREFIX)) return `segments starting with ${RESERVED_SEGMENT_PREFIX} are reserved`;
  }
  return undefined;
}
