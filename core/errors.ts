/**
 * The one catalogue of restorepoint's errors. Each has a stable `code` (shown to users and
 * used as the Temporal failure type) and is either retryable or not; that decision lives
 * here and nowhere else (see `NON_RETRYABLE_ERROR_TYPES`).
 *
 * Pure module: imported by workflows, so no Node.js imports.
 */

export const ERROR_CODES = {
  CONFIG_INVALID: { retryable: false, summary: 'the configuration is malformed' },
  INPUT_INVALID: { retryable: false, summary: 'a command or workflow input is malformed' },
  SOURCE_UNKNOWN: { retryable: false, summary: 'no source connection has that name' },
  TABLE_NOT_FOUND: { retryable: false, summary: 'a requested table does not exist' },
  EXPORT_CORRUPT: { retryable: false, summary: 'a verification found the export corrupt; it is not a restore point without an explicit override' },
  EXPORT_NOT_FOUND: { retryable: false, summary: 'no export has that id' },
  CHECKSUM_MISMATCH: { retryable: false, summary: 'stored data does not match its checksum' },
  MANIFEST_TAMPERED: { retryable: false, summary: 'a manifest does not match the hash in the catalog' },
  OBJECT_MISSING: { retryable: false, summary: 'a stored object is missing' },
  TARGET_NOT_EMPTY: { retryable: false, summary: 'the restore target already holds data' },
  NOT_AUTHORIZED: { retryable: false, summary: 'the caller may not do this' },
  AUTH_INVALID: { retryable: false, summary: 'no valid proof of identity: the token is missing, expired, not yet valid, for another audience or issuer, or its signature does not verify' },
  PERMISSION_DENIED: { retryable: false, summary: 'the verified caller holds no role that permits this on this source' },
  LEDGER_BROKEN: { retryable: false, summary: 'the audit ledger hash chain is broken' },
  NO_PRIMARY_KEY: { retryable: false, summary: 'a table without a primary key cannot be tracked' },
  EXPORT_FAILED: { retryable: false, summary: 'the source database refused an export query; retrying cannot help' },
  RESTORE_FAILED: { retryable: false, summary: 'the target database refused the restore; it was rolled back' },
  SCOPE_CHANGED: { retryable: false, summary: 'live data in a rollback\'s scope changed or was held by a writer; the rollback stopped' },
  ROLLBACK_REFUSED: { retryable: false, summary: 'the rollback would break a constraint or cannot be applied; nothing was changed' },
  ROLLBACK_SCOPE_INVALID: { retryable: false, summary: 'a rollback\'s row predicate is not a boolean expression over its table\'s own columns; nothing was changed' },
  PARQUET_UNSUPPORTED: { retryable: false, summary: 'a Parquet export cannot be restored as asked (its type mapping is missing, unknown or does not preserve a column)' },
  PARQUET_VALUE_UNREPRESENTABLE: { retryable: false, summary: 'a value cannot be stored in its Parquet column type (for example NaN in a numeric(p,s) column)' },
  CHAIN_BROKEN: { retryable: false, summary: 'an incremental chain has a gap, a missing or corrupt link, or a trail that fails verification' },
  NOT_TRACKED: { retryable: false, summary: 'the change trail does not cover what was asked (no trail, or a table not tracked)' },
  PRUNE_REFUSED: { retryable: false, summary: 'trail entries cannot be pruned: no verified archived copy covers them' },
  NO_RESTORE_POINT: { retryable: false, summary: 'no export chain reconstructs the requested point in time' },
  STACK_FAILED: { retryable: false, summary: 'a local stack service could not be started' },
  STORAGE_UNAVAILABLE: { retryable: true, summary: 'the object store did not answer' },
  DATABASE_UNAVAILABLE: { retryable: true, summary: 'the database did not answer' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Temporal failure types that must not be retried: every non-retryable code above. */
export const NON_RETRYABLE_ERROR_TYPES: readonly string[] = (Object.keys(ERROR_CODES) as ErrorCode[]).filter(
  (code) => !ERROR_CODES[code].retryable,
);

/** Base of every error restorepoint throws on purpose. `details` must never hold secrets. */
export class RestorepointError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = code;
    this.code = code;
    this.details = details;
  }

  get retryable(): boolean {
    return ERROR_CODES[this.code].retryable;
  }
}

export function isRestorepointError(value: unknown): value is RestorepointError {
  return value instanceof RestorepointError;
}

/**
 * PostgreSQL SQLSTATE classes worth retrying: connection exceptions (08), insufficient
 * resources (53), operator intervention (57, e.g. admin shutdown), serialization failure
 * and deadlock (40001, 40P01). Everything else (syntax, constraint, undefined table) is
 * a fault a retry cannot fix.
 */
export function isRetryableSqlState(sqlState: string | undefined): boolean {
  if (!sqlState) return false;
  return ['08', '53', '57'].includes(sqlState.slice(0, 2)) || sqlState === '40001' || sqlState === '40P01';
}

/** A database error a retry cannot fix, as a typed error; anything else is passed through. */
export function asTypedDatabaseError(error: unknown, code: ErrorCode, context: string): unknown {
  const sqlState = (error as { code?: unknown } | null)?.code;
  if (typeof sqlState !== 'string' || !/^[0-9A-Z]{5}$/.test(sqlState) || isRetryableSqlState(sqlState)) return error;
  return new RestorepointError(code, `${context}: ${(error as Error).message} (SQLSTATE ${sqlState})`, { sqlState });
}
