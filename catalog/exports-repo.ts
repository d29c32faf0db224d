import type { Knex } from 'knex';
import { z } from 'zod';
import {
  exportFileRowSchema,
  exportModeSchema,
  exportRowSchema,
  type ExportFileRecord,
  type ExportRecord,
  type ExportStatus,
} from './export-records';
import { parseInput } from './parse-input';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a lower-case hex sha256');
const count = z.number().int().min(0);

const newExportSchema = z.object({
  id: z.string().min(1),
  mode: exportModeSchema,
  source: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'a source name from config, never a URL'),
  destination: z.string().min(1),
  format: z.string().min(1),
  compression: z.string().min(1),
  parentExportId: z.string().min(1).optional(),
  baseExportId: z.string().min(1).optional(),
  tags: z.record(z.string(), z.unknown()).default({}),
  requestedBy: z.string().min(1),
  /** Narrowed by a scope flag: recorded from the start, so a running or failed export says so too. */
  partial: z.boolean().default(false),
  /** A masked export's profile and rules digest (docs/masking.md). */
  masking: z.object({ profile: z.string(), rulesDigest: z.string() }).nullable().default(null),
});
export type NewExport = z.input<typeof newExportSchema>;

/**
 * Records a requested export; when the id exists already (a retried activity) the stored row is
 * returned untouched, so the first request's fields win.
 */
export async function upsertExport(db: Knex, input: NewExport): Promise<{ readonly created: boolean; readonly export: ExportRecord }> {
  const e = parseInput(newExportSchema, input, 'export');
  const inserted = await db('exports')
    .insert({
      id: e.id,
      status: 'requested',
      mode: e.mode,
      source: e.source,
      destination: e.destination,
      format: e.format,
      compression: e.compression,
      parent_export_id: e.parentExportId ?? null,
      base_export_id: e.baseExportId ?? null,
      tags: JSON.stringify(e.tags),
      requested_by: e.requestedBy,
      partial: e.partial,
      masking: e.masking ? JSON.stringify(e.masking) : null,
    })
    .onConflict('id')
    .ignore()
    .returning('*');
  if (inserted[0]) return { created: true, export: exportRowSchema.parse(inserted[0]) };
  const existing = await getExport(db, e.id);
  if (!existing) throw new Error(`export ${e.id} conflicted on insert but cannot be read`);
  return { created: false, export: existing };
}

const exportPatchSchema = z
  .object({
    snapshot: z.record(z.string(), z.unknown()),
    manifestKey: z.string().min(1),
    manifestSha256: sha256Hex,
    tablesCount: count,
    rows: count,
    bytes: count,
    error: z.string(),
  })
  .partial();
/** Fields a status change may set alongside it: outcome figures on success, `error` on failure. */
export type ExportPatch = z.input<typeof exportPatchSchema>;

/**
 * The states each target may be entered from. Re-entering the same state is allowed so a
 * retried activity succeeds; an export under legal hold is never marked deleted.
 */
const ENTERED_FROM: Readonly<Record<Exclude<ExportStatus, 'requested'>, readonly ExportStatus[]>> = {
  running: ['requested', 'running'],
  succeeded: ['running', 'succeeded'],
  failed: ['requested', 'running', 'failed'],
  deleted: ['succeeded', 'failed', 'deleted'],
};

export type MarkExportResult =
  | { readonly ok: true; readonly export: ExportRecord }
  | { readonly ok: false; readonly reason: 'not found' }
  | { readonly ok: false; readonly reason: 'transition refused' | 'legal hold'; readonly current: ExportStatus };

/** Moves an export to `status` if its current state allows it; a refusal is a value, not a throw. */
export async function markExport(
  db: Knex,
  id: string,
  status: keyof typeof ENTERED_FROM,
  patch: ExportPatch = {},
): Promise<MarkExportResult> {
  const p = parseInput(exportPatchSchema, patch, 'export patch');
  const updated = await db('exports')
    .where({ id })
    .whereIn('status', ENTERED_FROM[status])
    .modify((q) => {
      if (status === 'deleted') q.where({ legal_hold: false });
    })
    .update({
      status,
      snapshot: p.snapshot === undefined ? undefined : JSON.stringify(p.snapshot),
      manifest_key: p.manifestKey,
      manifest_sha256: p.manifestSha256,
      tables_count: p.tablesCount,
      rows: p.rows,
      bytes: p.bytes,
      error: p.error,
      // A retry re-marking the same state keeps the first timestamps.
      started_at: status === 'running' ? db.raw('coalesce(started_at, now())') : undefined,
      finished_at: status === 'succeeded' || status === 'failed' ? db.raw('coalesce(finished_at, now())') : undefined,
    })
    .returning('*');
  if (updated[0]) return { ok: true, export: exportRowSchema.parse(updated[0]) };
  const current = await getExport(db, id);
  if (!current) return { ok: false, reason: 'not found' };
  const reason = status === 'deleted' && current.legalHold && ENTERED_FROM.deleted.includes(current.status) ? 'legal hold' : 'transition refused';
  return { ok: false, reason, current: current.status };
}

/**
 * The export's row. `forUpdate` (inside a transaction): the row stays locked until it ends, so a
 * step that decides from the status what to write next sees any concurrent change first.
 */
export async function getExport(db: Knex, id: string, { forUpdate = false }: { readonly forUpdate?: boolean } = {}): Promise<ExportRecord | undefined> {
  const row: unknown = await db('exports')
    .where({ id })
    .modify((q) => {
      if (forUpdate) q.forUpdate();
    })
    .first();
  return row === undefined ? undefined : exportRowSchema.parse(row);
}

export interface ExportFilter {
  readonly source?: string;
  readonly status?: ExportStatus;
  /** Only exports carrying every one of these tags (`--tag key=value`). */
  readonly tags?: Readonly<Record<string, string>>;
  /** At most this many, newest first; 100 when unset. */
  readonly limit?: number;
}

export async function listExports(db: Knex, filter: ExportFilter = {}): Promise<readonly ExportRecord[]> {
  const rows: unknown[] = await db('exports')
    .modify((q) => {
      if (filter.source !== undefined) q.where({ source: filter.source });
      if (filter.status !== undefined) q.where({ status: filter.status });
      if (filter.tags !== undefined && Object.keys(filter.tags).length > 0) q.whereRaw('tags @> ?::jsonb', [JSON.stringify(filter.tags)]);
    })
    .orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(filter.limit ?? 100);
  return rows.map((row) => exportRowSchema.parse(row));
}

const newExportFileSchema = z.object({
  exportId: z.string().min(1),
  objectKey: z.string().min(1),
  tableName: z.string().min(1),
  partNo: count,
  rows: count,
  bytes: count,
  sha256: sha256Hex,
  crc32c: z.string().min(1),
});
export type NewExportFile = z.input<typeof newExportFileSchema>;

/**
 * What `recordFile` did. `replaced` means the same object key was recorded before with other
 * content: the object was re-uploaded (a retry whose output differed, or a zombie attempt), and
 * the newest record describes what the store now holds. Callers should log it; verification
 * will catch an object that disagrees with its row.
 */
export type RecordFileOutcome = 'inserted' | 'unchanged' | 'replaced';

/** Records one stored object of an export; idempotent, so activities may call it on every retry. */
export async function recordFile(db: Knex, file: NewExportFile): Promise<RecordFileOutcome> {
  const f = parseInput(newExportFileSchema, file, 'export file');
  // `xmax = 0` holds only for a freshly inserted tuple; a row rewritten by DO UPDATE carries our xid.
  const result = await db.raw<{ rows: { inserted: boolean }[] }>(
    `insert into export_files (export_id, object_key, table_name, part_no, rows, bytes, sha256, crc32c)
     values (?, ?, ?, ?, ?, ?, ?, ?)
     on conflict (export_id, object_key) do update set
       table_name = excluded.table_name, part_no = excluded.part_no, rows = excluded.rows,
       bytes = excluded.bytes, sha256 = excluded.sha256, crc32c = excluded.crc32c
     where (export_files.table_name, export_files.part_no, export_files.rows, export_files.bytes, export_files.sha256, export_files.crc32c)
       is distinct from (excluded.table_name, excluded.part_no, excluded.rows, excluded.bytes, excluded.sha256, excluded.crc32c)
     returning (xmax = 0) as inserted`,
    [f.exportId, f.objectKey, f.tableName, f.partNo, f.rows, f.bytes, f.sha256, f.crc32c],
  );
  const row = result.rows[0];
  if (!row) return 'unchanged';
  return row.inserted ? 'inserted' : 'replaced';
}

/** Every object of an export, in restore order: by table, then part. */
export async function listFiles(db: Knex, exportId: string): Promise<readonly ExportFileRecord[]> {
  const rows: unknown[] = await db('export_files').where({ export_id: exportId }).orderBy(['table_name', 'part_no']);
  return rows.map((row) => exportFileRowSchema.parse(row));
}
