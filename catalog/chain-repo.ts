import type { Knex } from 'knex';
import { z } from 'zod';
import { exportRoleSchema, type ExportRole } from '../core/export-input';
import type { ChainLink, TrailPoint } from '../core/restore-points';
import { int8 } from './int8';

/** Where an export stands in its source's trail; written before the export is marked finished. */
export interface TrailRange {
  readonly from: TrailPoint | null;
  readonly to: TrailPoint | null;
  readonly asOf: Date;
  readonly parentExportId?: string;
  readonly baseExportId?: string;
}

/** Idempotent: a retry writes the same values again. */
export async function recordTrailRange(db: Knex, exportId: string, range: TrailRange): Promise<void> {
  await db('exports')
    .where({ id: exportId })
    .update({
      trail_from_position: range.from?.position ?? null,
      trail_from_hash: range.from?.hash ?? null,
      trail_to_position: range.to?.position ?? null,
      trail_to_hash: range.to?.hash ?? null,
      as_of: range.asOf,
      ...(range.parentExportId ? { parent_export_id: range.parentExportId } : {}),
      ...(range.baseExportId ? { base_export_id: range.baseExportId } : {}),
    });
}

/** What a full export holds and is for (chain-base.ts decides from it whether a chain may start there). */
export interface ExportCoverage {
  readonly role: ExportRole;
  readonly partial: boolean;
  /** `schema.table` names, as its manifest lists them. */
  readonly tables: readonly string[];
}

/** Idempotent, like the trail range: recorded with it, before the export is marked finished. */
export async function recordCoverage(db: Knex, exportId: string, coverage: ExportCoverage): Promise<void> {
  await db('exports').where({ id: exportId }).update({ role: coverage.role, partial: coverage.partial, tables: JSON.stringify(coverage.tables) });
}

const linkRowSchema = z
  .object({
    id: z.string(),
    mode: z.enum(['full', 'incremental']),
    status: z.string(),
    verification_status: z.enum(['unverified', 'verified', 'corrupt']),
    source: z.string(),
    destination: z.string(),
    parent_export_id: z.string().nullable(),
    base_export_id: z.string().nullable(),
    trail_from_position: int8.nullable(),
    trail_from_hash: z.string().nullable(),
    trail_to_position: int8.nullable(),
    trail_to_hash: z.string().nullable(),
    as_of: z.date().nullable(),
    snapshot: z.record(z.string(), z.unknown()).nullable(),
    role: exportRoleSchema,
    partial: z.boolean(),
    tables: z.array(z.string()).nullable(),
    masking: z.unknown().optional(),
  })
  .transform(
    (r): ChainLink => ({
      exportId: r.id,
      mode: r.mode,
      status: r.status,
      verificationStatus: r.verification_status,
      source: r.source,
      destination: r.destination,
      parentExportId: r.parent_export_id,
      baseExportId: r.base_export_id,
      trailFrom: r.trail_from_position !== null && r.trail_from_hash !== null ? { position: r.trail_from_position, hash: r.trail_from_hash } : null,
      trailTo: r.trail_to_position !== null && r.trail_to_hash !== null ? { position: r.trail_to_position, hash: r.trail_to_hash } : null,
      asOf: r.as_of?.toISOString() ?? null,
      txidSnapshot: typeof r.snapshot?.txidSnapshot === 'string' ? r.snapshot.txidSnapshot : null,
      role: r.role,
      partial: r.partial,
      tables: r.tables,
      ...(r.masking ? { masked: true } : {}),
    }),
  );

/** Every export of a source (optionally one destination) as chain links, oldest first. */
export async function listChainLinks(db: Knex, filter: { readonly source: string; readonly destination?: string }): Promise<ChainLink[]> {
  const rows: unknown[] = await db('exports')
    .select('id', 'mode', 'status', 'verification_status', 'source', 'destination', 'parent_export_id', 'base_export_id', 'trail_from_position', 'trail_from_hash', 'trail_to_position', 'trail_to_hash', 'as_of', 'snapshot', 'role', 'partial', 'tables', 'masking')
    .where({ source: filter.source })
    .modify((q) => {
      if (filter.destination !== undefined) q.where({ destination: filter.destination });
    })
    .orderBy([{ column: 'created_at' }, { column: 'id' }]);
  return rows.map((row) => linkRowSchema.parse(row));
}
