/**
 * The one catalogue of restorepoint's errors. Each has a stable `code` (shown to users and
 * used as the Temporal failure type) and is either retryable or not; that decision lives
 * here and nowhere else (see `NON_RETRYABLE_ERROR_TYPES`).
 *
 * Pure module: imported by workflows, so no Node.js imports.
 */

import { redactSecrets } from './redact';

export const ERROR_CODES = {
  CONFIG_INVALID: { retryable: false, summary: 'the configuration is malformed' },
  INPUT_INVALID: { retryable: false, summary: 'a command or workflow input is malformed' },
  SOURCE_UNKNOWN: { retryable: false, summary: 'no source connection has that name' },
  TABLE_NOT_FOUND: { retryable: false, summary: 'a requested table does not exist' },
  EXPORT_CORRUPT: { retryable: false, summary: 'a verification found the export corrupt; it is not a restore point without an explicit override' },
  EXPORT_UNSUPPORTED: { retryable: false, summary: 'the export scope holds an object restorepoint cannot export exactly; it is named and nothing was started' },
  EXPORT_NOT_FOUND: { retryable: false, summary: 'no export has that id' },
  CHECKSUM_MISMATCH: { retryable: false, summary: 'stored data does not match its checksum' },
  MANIFEST_TAMPERED: { retryable: false, summary: 'a manifest does not match the hash in the catalog' },
  OBJECT_MISSING: { retryable: false, summary: 'a stored object is missing' },
  TARGET_NOT_EMPTY: { retryable: false, summary: 'the restore target already holds data' },
  TARGET_BUSY: { retryable: false, summary: 'another restore holds the claim on a target table; nothing was written' },
  TARGET_FORBIDDEN: { retryable: false, summary: 'restore never writes into the catalog, a template database or the live source of the export (outside a new schema)' },
  NOT_AUTHORIZED: { retryable: false, summary: 'the caller may not do this' },
  AUTH_INVALID: { retryable: false, summary: 'no valid proof of identity: the token is missing, expired, not yet valid, for another audience or issuer, or its signature does not verify' },
  LEDGER_BROKEN: { retryable: false, summary: 'the audit ledger hash chain is broken' },
  NO_PRIMARY_KEY: { retryable: false, summary: 'a table without a primary key cannot be tracked' },
  SNAPSHOT_GONE: { retryable: false, summary: "a table range could not join its export's shared snapshot: the snapshot holder's transaction ended (its worker died); the ranges are read again under the holder's next snapshot" },
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
  ID_CONFLICT: { retryable: false, summary: 'the id is already used by a run started with other options' },
  FEATURE_DISABLED: { retryable: false, summary: 'the configuration switches this recovery flow off for the source (sources.<name>.features); nothing was changed' },
  STACK_FAILED: { retryable: false, summary: 'a local stack service could not be started' },
  STORAGE_UNAVAILABLE: { retryable: true, summary: 'the object store did not answer' },
  DATABASE_UNAVAILABLE: { retryable: true, summary: 'the database did not answer' },
  SCHEMA_NOT_FOUND: { retryable: false, summary: 'a schema the statement names does not exist (SQLSTATE 3F000)' },
  PERMISSION_DENIED: { retryable: false, summary: 'the verified caller holds no role that permits this on this source, or the database role lacks a privilege the statement needs (SQLSTATE 42501)' },
  DATA_INVALID: { retryable: false, summary: 'the database refused a value as bad data (SQLSTATE class 22)' },
  DATA_UNDECODABLE: { retryable: false, summary: 'stored data matches its checksums but cannot be decoded' },
  DATABASE_REFUSED: { retryable: false, summary: 'the database refused a statement; retrying cannot help' },
  DATABASE_CONFLICT: { retryable: true, summary: 'a serialization failure or deadlock (SQLSTATE 40001, 40P01); retried' },
  TARGET_HELD_BY_EARLIER_ATTEMPT: { retryable: true, summary: "an earlier attempt of the same restore still holds the target's tables (its worker has not let go yet); retried until it does" },
  ROLLBACK_NOT_FOUND: { retryable: false, summary: 'no rollback has that id' },
  ALERT_NOT_FOUND: { retryable: false, summary: 'no alert has that id (for that source)' },
  ALERT_UNDELIVERED: { retryable: true, summary: 'the alert webhook did not accept a delivery; retried' },
  KEY_MISSING: { retryable: false, summary: "the export's data key, or the key-encryption key that wraps it, is not there; nothing was read or written" },
  KEY_DESTROYED: { retryable: false, summary: "the export was crypto-shredded: its data key is destroyed and its objects can never be read again" },
  DECRYPTION_FAILED: { retryable: false, summary: 'a stored object or wrapped key does not authenticate under its key: wrong key, or altered, truncated, reordered or moved bytes' },
  SHRED_REFUSED: { retryable: false, summary: 'the export cannot be crypto-shredded: a legal hold or a dependent incremental chain needs it, or it is not encrypted; nothing was destroyed' },
  KEY_SERVICE_UNAVAILABLE: { retryable: true, summary: 'the key service (Cloud KMS) did not answer' },
  ROLLBACK_ENDED: { retryable: false, summary: 'the rollback has ended; a decision arriving now was refused and recorded' },
  ROLLBACK_NOT_PENDING: { retryable: false, summary: 'the rollback no longer awaits approval (decided, or ended): withdrawing it was refused and recorded; nothing was changed' },
  MASKED_EXPORT_RESTRICTED: { retryable: false, summary: 'a masked export holds no real rows: it restores only into a scratch (local:) target, never into a configured source, and no rollback uses it; nothing was changed' },
  PAYLOAD_UNREADABLE: { retryable: false, summary: 'an encrypted workflow payload does not decrypt: it was altered or truncated, or sealed under another payload key' },
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
    // Messages quote inputs; a connection URL among them must not carry its password on.
    super(redactSecrets(message));
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
 * resources (53), operator intervention (57, e.g. admin shutdown 57P01), serialization failure
 * and deadlock (40001, 40P01). Everything else (syntax, constraint, undefined table) is
 * a fault a retry cannot fix.
 */
export function isRetryableSqlState(sqlState: string | undefined): boolean {
  if (!sqlState) return false;
  return ['08', '53', '57'].includes(sqlState.slice(0, 2)) || sqlState === '40001' || sqlState === '40P01';
}

/**
 * The SQLSTATE a database error carries (node-postgres keeps it as `code`), or null for any other
 * error. A Node system error keeps its own code there too, and `EPIPE` or `EPERM` look like a
 * SQLSTATE: such an error (it has a `syscall` or an `errno`) has none. A write to a connection the
 * server had just terminated failed as `EPIPE`, was typed a permanent refusal and not retried.
 */
export function sqlStateOf(error: unknown): string | null {
  if (isRestorepointError(error)) return null;
  const system = error as { syscall?: unknown; errno?: unknown } | null;
  if (system?.syscall !== undefined || system?.errno !== undefined) return null;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null;
}

/**
 * The catalogue code of a SQLSTATE: the one table by which every database error is typed.
 * Transient ones (retryable) first; then the permanent ones with a code of their own; any
 * other SQLSTATE is `DATABASE_REFUSED` (or the caller's code, see `asTypedDatabaseError`).
 */
export function codeForSqlState(sqlState: string): ErrorCode {
  if (sqlState === '40001' || sqlState === '40P01') return 'DATABASE_CONFLICT';
  if (isRetryableSqlState(sqlState)) return 'DATABASE_UNAVAILABLE';
  if (sqlState === '3F000') return 'SCHEMA_NOT_FOUND';
  if (sqlState === '42P01') return 'TABLE_NOT_FOUND';
  if (sqlState === '42501') return 'PERMISSION_DENIED';
  if (sqlState.startsWith('22')) return 'DATA_INVALID';
  return 'DATABASE_REFUSED';
}

/**
 * Bad-data and constraint messages (classes 22 and 23) quote the offending value; the
 * value is replaced so no row value reaches the ledger, the catalog or workflow history.
 */
function withoutValues(message: string, sqlState: string): string {
  return sqlState.startsWith('22') || sqlState.startsWith('23') ? message.replace(/"(?:[^"]|"")*"/g, '"…"') : message;
}

/**
 * THE classification point: any error an activity lets escape becomes a typed error of the
 * catalogue, or stays as it is when nothing is known about it (Temporal then retries it).
 * - a `RestorepointError` is already typed;
 * - a PostgreSQL error is typed by its SQLSTATE (`codeForSqlState`), its message kept (less
 *   quoted values of bad data) with the SQLSTATE, so the cause survives;
 * - storage errors are typed by the drivers (`storage/*-errors.ts`: OBJECT_MISSING,
 *   STORAGE_UNAVAILABLE for 5xx and lost connections); decoder errors by the loader that ran
 *   the decoder (`activities/restore/load-part.ts`: CHECKSUM_MISMATCH when the stored bytes
 *   differ from their checksums, DATA_UNDECODABLE otherwise).
 * `context` says what was being done; it leads the message.
 */
export function classifyFailure(error: unknown, context?: string): RestorepointError | null {
  if (isRestorepointError(error)) return error;
  const sqlState = sqlStateOf(error);
  if (sqlState === null) return classifyToolFailure(error, context);
  const message = `${context ? `${context}: ` : ''}${withoutValues((error as Error).message, sqlState)} (SQLSTATE ${sqlState})`;
  return new RestorepointError(codeForSqlState(sqlState), message, { sqlState });
}

/** pg_dump, pg_restore and psql report failures as `<tool> … exited <code>: <stderr>` (postgres/schema-dump.ts). */
const TOOL_FAILURE = /^(pg_dump|pg_restore|psql)\b[^:]* exited \d+: /;
/** What a client tool prints when the server could not be reached or went away: worth a retry. */
const TOOL_CONNECTION_LOST = /could not connect|connection to server .* failed|server closed the connection|terminating connection|connection .* lost/i;

/**
 * The last fallback, kept on purpose: a PostgreSQL client tool that exited with an error
 * carries no SQLSTATE, only its message. What pg_dump's schema dump is known to meet (a
 * missing schema, a table it may not lock) is asked through node-postgres before it runs
 * (postgres/dump-preflight.ts) and typed by SQLSTATE above; this types what only the tool
 * meets (the server going away mid-dump, a catalog it cannot read) rather than leave it
 * untyped and retried for minutes:
 * a lost connection is DATABASE_UNAVAILABLE (retried); a pattern that matched no schema or
 * table, and permission denied, get their codes; anything else is a refusal that a retry
 * repeats, DATABASE_REFUSED.
 */
function classifyToolFailure(error: unknown, context?: string): RestorepointError | null {
  const message = (error as Error | null)?.message;
  if (typeof message !== 'string' || !TOOL_FAILURE.test(message)) return null;
  const code: ErrorCode = TOOL_CONNECTION_LOST.test(message)
    ? 'DATABASE_UNAVAILABLE'
    : /permission denied/i.test(message)
      ? 'PERMISSION_DENIED'
      : /no matching schemas were found/i.test(message)
        ? 'SCHEMA_NOT_FOUND'
        : /no matching tables were found/i.test(message)
          ? 'TABLE_NOT_FOUND'
          : 'DATABASE_REFUSED';
  return new RestorepointError(code, `${context ? `${context}: ` : ''}${message}`, { tool: message.split(' ')[0] });
}

/** Codes that name the cause itself, whoever met it: a missing schema is SCHEMA_NOT_FOUND wherever it happens. */
const CAUSE_CODES: readonly ErrorCode[] = ['DATABASE_UNAVAILABLE', 'DATABASE_CONFLICT', 'SCHEMA_NOT_FOUND', 'TABLE_NOT_FOUND', 'PERMISSION_DENIED'];

/**
 * A database error, typed where the caller knows what a refusal means: transient errors,
 * missing schemas and tables and permission denied keep their own codes; any other
 * permanent refusal (bad data, a broken constraint, a syntax error) becomes `code`
 * (EXPORT_FAILED, RESTORE_FAILED, ROLLBACK_SCOPE_INVALID, …) with its SQLSTATE in the details
 * and the message, so a verification can still tell rows refused (22, 23) from a fault.
 * Errors that carry nothing to classify them are passed through.
 */
export function asTypedDatabaseError(error: unknown, code: ErrorCode, context: string): unknown {
  const typed = classifyFailure(error, context);
  if (typed === null || typed === error) return error;
  if (CAUSE_CODES.includes(typed.code)) return typed;
  return new RestorepointError(code, typed.message, typed.details);
}

/**
 * A failure as the catalogue types it, for workflows to record: Temporal wraps an activity's
 * typed failure (ActivityFailure → ApplicationFailure whose `type` is the code); the innermost
 * typed cause gives the code, the innermost cause the message. `UNTYPED` when nothing classified it.
 */
export function failureSummary(error: unknown): { readonly code: string; readonly message: string } {
  let code: string | null = null;
  let current = error as (Error & { type?: unknown; code?: unknown }) | undefined;
  let message = current instanceof Error ? current.message : String(error);
  while (current instanceof Error) {
    if (typeof current.type === 'string' && current.type !== '') code = current.type;
    else if (isRestorepointError(current)) code = current.code;
    message = current.message;
    current = current.cause as typeof current;
  }
  return { code: code ?? 'UNTYPED', message };
}
