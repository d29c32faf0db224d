import { isRestorepointError, RestorepointError, type ErrorCode } from '../core/errors';

/** Codes the client gives a checksum mismatch on download and on upload. */
const CHECKSUM_FAILURES: readonly string[] = ['CONTENT_DOWNLOAD_MISMATCH', 'FILE_NO_UPLOAD', 'FILE_NO_UPLOAD_DELETE'];

/**
 * Turns a client failure into the store's typed errors. `notFound` says what a 404 means
 * to the caller: a missing object on reads, a missing bucket (a configuration fault) on
 * uploads and listings. Everything unrecognised is `STORAGE_UNAVAILABLE`, which Temporal
 * retries.
 */
export function gcsStoreError(error: unknown, where: string, notFound: ErrorCode = 'OBJECT_MISSING'): RestorepointError {
  if (isRestorepointError(error)) return error;
  const status = httpStatus(error);
  const code = (error as { code?: unknown } | undefined)?.code;
  const reason = error instanceof Error ? error.message : String(error);
  const details = { where, status, reason };
  if (typeof code === 'string' && CHECKSUM_FAILURES.includes(code)) {
    return new RestorepointError('CHECKSUM_MISMATCH', `GCS checksum mismatch on ${where}: ${reason}`, details);
  }
  switch (status) {
    case 404:
      return new RestorepointError(notFound, `GCS has no ${where}`, details);
    case 416:
      return new RestorepointError('INPUT_INVALID', `byte range outside ${where}`, details);
    case 401:
    case 403:
      return new RestorepointError('NOT_AUTHORIZED', `GCS refused access to ${where}: ${reason}`, details);
    default:
      return new RestorepointError('STORAGE_UNAVAILABLE', `GCS failed on ${where}: ${reason}`, details);
  }
}

/** The HTTP status, wherever this error type keeps it (ApiError, GaxiosError, upload errors). */
export function httpStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, status, response } = error as { code?: unknown; status?: unknown; response?: { status?: unknown } };
  for (const candidate of [code, status, response?.status]) {
    if (typeof candidate === 'number') return candidate;
  }
  return undefined;
}
