/**
 * What a full export covers. No scope flags: every schema of the database that is not a
 * system schema (as pg_dump does). `--schemas`, `--tables` and `--exclude` narrow it, and a
 * narrowed export is partial: never counted as a full restore point by retention, chains or
 * `restore-points` (docs/export-and-restore.md, "Scope").
 *
 * Pure module: imported by workflows and the client.
 */

import { splitPattern } from './table-patterns';

interface ScopeRequest {
  readonly schemas: readonly string[];
  readonly tables: readonly string[];
  readonly exclude: readonly string[];
  /** A masking profile: a masked export is partial-like, never a restore point (docs/masking.md). */
  readonly mask?: string | undefined;
}

/**
 * Schemas that are never an export scope: PostgreSQL's own (`pg_catalog`, `pg_toast`, every
 * `pg_*`, `information_schema`: `pg_catalog.pg_authid` holds password hashes) and
 * restorepoint's (`restorepoint_*`: the change trail, archived by incremental exports).
 */
export function isSystemSchema(schema: string): boolean {
  return schema.startsWith('pg_') || schema === 'information_schema' || schema.startsWith('restorepoint_');
}

/** Why a requested scope names a system schema (in `--schemas` or a `schema.table` pattern), or undefined. */
export function systemScopeProblem(request: ScopeRequest): string | undefined {
  const schemaParts = request.tables.map(splitPattern).filter((parts) => parts.length === 2).map((parts) => parts[0]!.replace(/"/g, ''));
  const named = [...request.schemas, ...schemaParts];
  // A wildcard pattern is judged by its literal start (`pg_*`); tables are only ever listed from non-system schemas anyway.
  const system = [...new Set(named.filter((s) => isSystemSchema(s.replace(/\*.*$/, ''))))];
  if (system.length === 0) return undefined;
  return `${system.map((s) => `"${s}"`).join(', ')} ${system.length === 1 ? 'is a system schema' : 'are system schemas'} (pg_*, information_schema, restorepoint_*): never exported`;
}

/** Narrowed by any scope flag, or masked: such an export holds only part of the database, or not its real rows. */
export function isPartialScope(request: ScopeRequest): boolean {
  return request.schemas.length > 0 || request.tables.length > 0 || request.exclude.length > 0 || request.mask !== undefined;
}

/** One line saying what an export covers, for `export --help`, `exports show` and the progress view. */
export function describeScope(request: ScopeRequest): string {
  if (!isPartialScope(request)) return 'whole database (every non-system schema)';
  const parts = [
    request.schemas.length > 0 ? `schemas ${request.schemas.join(', ')}` : 'every non-system schema',
    request.tables.length > 0 ? `tables ${request.tables.join(', ')}` : undefined,
    request.exclude.length > 0 ? `excluding ${request.exclude.join(', ')}` : undefined,
    request.mask !== undefined ? `masked with profile ${request.mask}` : undefined,
  ].filter(Boolean);
  return `partial: ${parts.join('; ')}`;
}
