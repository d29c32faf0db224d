import { z } from 'zod';
import { DESTINATION_FORMS, readDestination } from './destination';
import { systemScopeProblem } from './export-scope';
import { sourceNameSchema } from './source-name';
import { maskingProfileNameSchema } from './masking/masking-profile';

/**
 * `gs://bucket/prefix` or `file:///absolute/dir`, as core/destination.ts reads them (no `..`,
 * plain or %-encoded, no query or fragment); credentials never appear here. The client and the
 * workflow both parse their input with this, so a bad destination is refused before any
 * catalog row or ledger entry exists.
 */
export const destinationSchema = z.string().superRefine((text, ctx) => {
  const reading = readDestination(text);
  if (!reading.ok) ctx.addIssue({ code: 'custom', message: `${reading.problem} (expected ${DESTINATION_FORMS})` });
});

export const tagsSchema = z
  .object({
    environment: z.string().max(100).optional(),
    dataDomain: z.string().max(100).optional(),
    purpose: z.string().max(200).optional(),
    requestedBy: z.string().max(200).optional(),
  })
  .strict();
export type ExportTags = z.infer<typeof tagsSchema>;

export const exportFormatSchema = z.enum(['csv', 'jsonl', 'parquet']);
export type ExportFormat = z.infer<typeof exportFormatSchema>;
export const compressionSchema = z.enum(['zstd', 'gzip', 'none']);
export type Compression = z.infer<typeof compressionSchema>;

export const exportModeSchema = z.enum(['full', 'incremental']);
export type ExportMode = z.infer<typeof exportModeSchema>;

/** What an export is for: a backup (a restore point, a chain base), or a rollback's safety snapshot. */
export const exportRoleSchema = z.enum(['backup', 'safety-snapshot']);
export type ExportRole = z.infer<typeof exportRoleSchema>;

/** Export ids become object prefixes and workflow ids: keep them to a safe alphabet. */
export const exportIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'letters, digits, ., _ and - (at most 128)');

/** What an export is asked to do. Only names travel here: the source is resolved from config by the worker. */
export const exportInputSchema = z.object({
  exportId: exportIdSchema,
  source: sourceNameSchema,
  /**
   * Schemas whose tables are exported; empty (the default) means every non-system schema of the
   * database (core/export-scope.ts). Naming any makes the export partial.
   */
  schemas: z.array(z.string().min(1)).default([]),
  /** Patterns `schema.table` or `table`, `*` as a wildcard, exact otherwise; empty means every table of `schemas`. */
  tables: z.array(z.string().min(1)).default([]),
  exclude: z.array(z.string().min(1)).default([]),
  destination: destinationSchema,
  format: exportFormatSchema.default('csv'),
  compression: compressionSchema.default('zstd'),
  /** Uncompressed bytes after which a table's stream starts a new part. */
  partSizeBytes: z.number().int().min(1024).optional(),
  concurrency: z.number().int().min(1).max(64).optional(),
  /**
   * Tables of at least `minBytes` on disk are read as `ranges` ctid page ranges, in parallel
   * under the export's one snapshot (readers permitting); unset takes the worker's `export.split`.
   */
  split: z.strictObject({ minBytes: z.number().int().min(0), ranges: z.number().int().min(1).max(64), acrossWorkers: z.boolean().optional() }).optional(),
  /**
   * Set by the export workflow (never by a caller) when it can schedule a split table's ranges
   * as activities of their own: the data activity then only plans them and holds the snapshot.
   */
  rangeActivities: z.boolean().optional(),
  /** Most connections this export opens to the source (snapshot leader included); capped by the source's `maxConnections`. */
  maxConnections: z.number().int().min(2).max(64).optional(),
  /** Most uncompressed bytes per second read from the source, across all tables; unset means no limit. */
  maxBytesPerSecond: z.number().int().min(1024).optional(),
  tags: tagsSchema.default({}),
  /**
   * Client-side encryption of every stored object under a data key of this export (docs/security.md).
   * On unless turned off explicitly (`--no-encryption`), which the manifest and the ledger record.
   */
  encrypt: z.boolean().default(true),
  requestedBy: z.string().min(1).default('unknown'),
  /**
   * `full` (the default) copies every selected table; `incremental` stores the changes recorded
   * by the change trail since the previous export of the same chain (docs/incremental-and-point-in-time.md).
   * An incremental export covers its base full export's tables and `format` is taken from the
   * chain; `schemas`, `tables` and `exclude` pick the tracked tables its chain's base must hold.
   */
  mode: exportModeSchema.default('full'),
  /**
   * Incremental only: the export to follow. When absent, the newest finished export of the same
   * source and destination that has a trail position and whose chain starts from a backup
   * holding every tracked table the export selects (never a partial export lacking some, nor a
   * rollback's safety snapshot).
   */
  parentExportId: exportIdSchema.optional(),
  /**
   * `safety-snapshot`: taken by a rollback just before it changes anything, so that it can be
   * undone. Such an export is never the base of a restore chain (docs/incremental-and-point-in-time.md).
   */
  role: exportRoleSchema.default('backup'),
  /**
   * A masking profile of config (`masking.profiles`, docs/masking.md) applied while the rows
   * stream: the export is then masked, partial-like (never a restore point) and restorable only
   * into a scratch target. CSV full exports only.
   */
  mask: maskingProfileNameSchema.optional(),
}).superRefine((input, ctx) => {
  if (input.mask !== undefined && input.format !== 'csv') {
    ctx.addIssue({ code: 'custom', path: ['mask'], message: `masking applies to csv exports; ${input.format} exports cannot be masked yet` });
  }
  if (input.mask !== undefined && (input.mode !== 'full' || input.role !== 'backup')) {
    ctx.addIssue({ code: 'custom', path: ['mask'], message: 'masking applies to full exports (not incremental ones nor safety snapshots)' });
  }
  // pg_catalog.pg_authid holds password hashes; restorepoint_trail is archived by incremental exports only.
  const problem = systemScopeProblem(input);
  if (problem) ctx.addIssue({ code: 'custom', path: ['schemas'], message: problem });
});
export type ExportInput = z.infer<typeof exportInputSchema>;
export type ExportRequest = z.input<typeof exportInputSchema>;

/** The workflow id derives from the export id, so starting the same export twice runs it once. */
export function exportWorkflowId(exportId: string): string {
  return `export-${exportId}`;
}
