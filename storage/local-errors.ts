import { isRestorepointError, RestorepointError, type ErrorCode } from '../core/errors';

/**
 * Turns a file-system failure into the store's typed errors. `missing` says what ENOENT
 * means to the caller: an absent object when reading, an unusable folder when writing.
 */
export function localStoreError(error: unknown, key: string, missing: ErrorCode = 'OBJECT_MISSING'): RestorepointError {
  if (isRestorepointError(error)) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason = error instanceof Error ? error.message : String(error);
  const details = { key, reason };
  switch (code) {
    case 'ENOENT':
      return new RestorepointError(missing, `no object ${key}: ${reason}`, details);
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new RestorepointError('NOT_AUTHORIZED', `the local store may not access ${key}: ${reason}`, details);
    // A key that needs a folder where a file is (or the reverse): GCS allows both, folders cannot.
    case 'ENOTDIR':
    case 'EISDIR':
    case 'EEXIST':
      return new RestorepointError('INPUT_INVALID', `key ${key} collides with another key's folder: ${reason}`, details);
    default:
      return new RestorepointError('STORAGE_UNAVAILABLE', `local store failed on ${key}: ${reason}`, details);
  }
}
