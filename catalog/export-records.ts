import { z } from 'zod';
import { int8 } from './int8';

export const exportStatusSchema = z.enum(['requested', 'running', 'succeeded', 'failed', 'deleted']);
export type ExportStatus = z.infer<typeof exportStatusSchema>;

export const exportModeSchema = z.enum(['full', 'incremental']);
export type ExportMode = z.infer<typeof exportModeSchema>;

export const verificationStatusSchema = z.enum(['unverified', 'verified', 'corrupt']);
export type VerificationStatus = z.infer<typeof verificationStatusSchema>;

const jsonObject = z.record(z.string(), z.unknown());

/** An `exports` row as the database returns it, mapped to the shape code uses. */
export const exportRowSchema = z
  .object({
    id: z.string(),
    status: exportStatusSchema,
    mode: exportModeSchema,
    source: z.string(),
    destination: z.string(),
    format: z.string(),
    compression: z.string(),
    parent_export_id: z.string().nullable(),
    base_export_id: z.string().nullable(),
    tags: jsonObject,
    snapshot: jsonObject.nullable(),
    manifest_key: z.string().nullable(),
    manifest_sha256: z.string().nullable(),
    tables_count: z.number().int().nullable(),
    rows: int8.nullable(),
    bytes: int8.nullable(),
    requested_by: z.string(),
    error: z.string().nullable(),
    verification_status: verificationStatusSchema,
    verified_at: z.date().nullable(),
    legal_hold: z.boolean(),
    created_at: z.date(),
    started_at: z.date().nullable(),
    finished_at: z.date().nullable(),
    // Optional: rows read by a select naming columns (not *) lack them.
    role: z.string().optional(),
    partial: z.boolean().optional(),
    masking: z.object({ profile: z.string(), rulesDigest: z.string() }).nullable().optional(),
  })
  .transform((r) => ({
    id: r.id,
    status: r.status,
    mode: r.mode,
    source: r.source,
    destination: r.destination,
    format: r.format,
    compression: r.compression,
    parentExportId: r.parent_export_id,
    baseExportId: r.base_export_id,
    tags: r.tags,
    snapshot: r.snapshot,
    manifestKey: r.manifest_key,
    manifestSha256: r.manifest_sha256,
    tablesCount: r.tables_count,
    rows: r.rows,
    bytes: r.bytes,
    requestedBy: r.requested_by,
    error: r.error,
    verificationStatus: r.verification_status,
    verifiedAt: r.verified_at,
    legalHold: r.legal_hold,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    /** `backup` or `safety-snapshot`. */
    role: r.role,
    /** Narrowed by --schemas, --tables or --exclude (or a safety snapshot): never a full restore point. */
    partial: r.partial,
    /** Set on a masked export (docs/masking.md): restorable only into a scratch target. */
    masking: r.masking ?? null,
  }));
export type ExportRecord = Readonly<z.output<typeof exportRowSchema>>;

/** An `export_files` row: one stored object of one export. */
export const exportFileRowSchema = z
  .object({
    export_id: z.string(),
    object_key: z.string(),
    table_name: z.string(),
    part_no: z.number().int(),
    rows: int8,
    bytes: int8,
    sha256: z.string(),
    crc32c: z.string(),
    created_at: z.date(),
  })
  .transform((r) => ({
    exportId: r.export_id,
    objectKey: r.object_key,
    tableName: r.table_name,
    partNo: r.part_no,
    rows: r.rows,
    bytes: r.bytes,
    sha256: r.sha256,
    crc32c: r.crc32c,
    createdAt: r.created_at,
  }));
export type ExportFileRecord = Readonly<z.output<typeof exportFileRowSchema>>;
