import type { Knex } from 'knex';
import type { ExportRecord } from '../catalog/export-records';
import { listExports, listFiles } from '../catalog/exports-repo';
import type { Config } from '../config/schema';
import type { RollbackStage } from '../core/rollback/rollback-state';
import { permits, type Permission } from '../identity/permissions';
import type { Principal } from '../identity/principal';

/** The configured sources on which `principal` holds `permission`, by name. */
export function sourcesPermitting(config: Config, principal: Principal, permission: Permission): readonly string[] {
  return Object.keys(config.sources)
    .filter((source) => permits(principal.roles, permission, source))
    .sort();
}

export type RestorePointKind = 'full' | 'partial' | 'delta' | 'safety';

export interface RestorePoint {
  readonly record: ExportRecord;
  readonly kind: RestorePointKind;
  /** A rollback can go back to it: a whole export that finished and is not known corrupt. */
  readonly selectable: boolean;
}

function kindOf(record: ExportRecord): RestorePointKind {
  if (record.mode === 'incremental') return 'delta';
  if (record.role === 'safety-snapshot') return 'safety';
  return record.partial ? 'partial' : 'full';
}

/** The exports of a source as restore points, newest first, with what each can be used for. */
export async function restorePoints(catalog: Knex, source: string, limit = 100): Promise<readonly RestorePoint[]> {
  const exports = await listExports(catalog, { source, limit });
  return exports.map((record) => {
    const kind = kindOf(record);
    return { record, kind, selectable: kind === 'full' && record.status === 'succeeded' && record.verificationStatus !== 'corrupt' };
  });
}

/** The newest restore point that can be chosen: the source's last good export. */
export const lastGood = (points: readonly RestorePoint[]): RestorePoint | undefined => points.find((p) => p.selectable);

/** The tables an export holds (`schema.table`), sorted. */
export async function tablesOf(catalog: Knex, exportId: string): Promise<readonly string[]> {
  return [...new Set((await listFiles(catalog, exportId)).map((f) => f.tableName))].sort();
}

export interface RollbackSummary {
  readonly id: string;
  readonly stage: RollbackStage;
  readonly outcome: string | null;
  readonly requestedBy: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A source's rollbacks as the catalog records them, newest first. */
export async function rollbacksOf(catalog: Knex, source: string, limit = 50): Promise<readonly RollbackSummary[]> {
  const rows = (await catalog('rollbacks').where({ source }).orderBy('created_at', 'desc').limit(limit).select('id', 'stage', 'outcome', 'requested_by', 'created_at', 'updated_at')) as {
    id: string;
    stage: RollbackStage;
    outcome: string | null;
    requested_by: string;
    created_at: Date;
    updated_at: Date;
  }[];
  return rows.map((r) => ({ id: r.id, stage: r.stage, outcome: r.outcome, requestedBy: r.requested_by, createdAt: r.created_at, updatedAt: r.updated_at }));
}

/**
 * The share of rollbacks that reached `done` among those that ran to an end after approval
 * (done, compensated, failed); rejected and cancelled ones changed nothing and do not count.
 * Null when none has.
 */
export function successRate(rollbacks: readonly RollbackSummary[]): number | null {
  const ran = rollbacks.filter((r) => r.stage === 'done' || r.stage === 'compensated' || r.stage === 'failed');
  return ran.length === 0 ? null : ran.filter((r) => r.stage === 'done').length / ran.length;
}

/** A duration in words a person reads at a glance: 42 s, 17 min, 5 h, 3 d. */
export function age(millis: number): string {
  const s = Math.max(0, Math.round(millis / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}

export interface VerificationRunSummary {
  readonly exportId: string;
  readonly level: string;
  readonly status: string;
  readonly startedAt: Date;
}

/** The latest verification runs of a source's exports, newest first. */
export async function verificationRunsOf(catalog: Knex, source: string, limit = 20): Promise<readonly VerificationRunSummary[]> {
  const rows = (await catalog('verification_runs as v')
    .join('exports as e', 'e.id', 'v.export_id')
    .where('e.source', source)
    .orderBy('v.started_at', 'desc')
    .limit(limit)
    .select('v.export_id', 'v.level', 'v.status', 'v.started_at')) as { export_id: string; level: string; status: string; started_at: Date }[];
  return rows.map((r) => ({ exportId: r.export_id, level: r.level, status: r.status, startedAt: r.started_at }));
}

export interface StorageClassUsage {
  /** The GCS storage class the export was tiered to; null: never tiered (the bucket's default, or a folder). */
  readonly storageClass: string | null;
  readonly exports: number;
  readonly bytes: number;
}

/** Bytes the source's kept exports hold, by storage class. */
export async function storageByClass(catalog: Knex, source: string): Promise<readonly StorageClassUsage[]> {
  const rows = (await catalog('exports')
    .where({ source, status: 'succeeded' })
    .groupBy('storage_class')
    .orderBy('storage_class')
    .select('storage_class', catalog.raw('count(*)::int as exports'), catalog.raw('coalesce(sum(bytes), 0)::bigint as bytes'))) as { storage_class: string | null; exports: number; bytes: string | number }[];
  return rows.map((r) => ({ storageClass: r.storage_class, exports: r.exports, bytes: Number(r.bytes) }));
}
