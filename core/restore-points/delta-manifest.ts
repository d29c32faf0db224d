import { z } from 'zod';
import { compressionSchema, tagsSchema, type Compression } from '../export-input';
import { ledgerAnchorSchema, MANIFEST_VERSION, manifestEncryptionSchema, partSchema } from '../manifest';
import { objectNames } from '../object-names';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const trailPointSchema = z.object({ position: z.number().int().min(0), hash: sha256Hex });

/** How many changes of each kind one table got in a delta. */
export const changeCountsSchema = z.object({
  insert: z.number().int().min(0),
  update: z.number().int().min(0),
  delete: z.number().int().min(0),
  truncate: z.number().int().min(0),
});

/**
 * The manifest of an incremental export, written last like a full one (its sha256 is kept in
 * the catalog). Its parts are the source's sealed trail entries in (`trail.from`, `trail.to`],
 * in position order, as JSON lines (trail/archived-entry.ts): every entry of the range, of
 * every table, so a delta is also the verified archive of that stretch of the trail. `tables`
 * names the base's tables, the ones a reconstruction applies.
 */
export const deltaManifestSchema = z.object({
  version: z.literal(MANIFEST_VERSION),
  exportId: z.string(),
  mode: z.literal('incremental'),
  createdAt: z.string(),
  tool: z.object({ name: z.literal('restorepoint'), version: z.string() }),
  source: z.object({ name: z.string(), database: z.string(), serverVersion: z.string(), systemIdentifier: z.string() }),
  parentExportId: z.string(),
  baseExportId: z.string(),
  trail: z.object({
    from: trailPointSchema,
    to: trailPointSchema,
    entries: z.number().int().min(0),
    /** The moment the delta reflects: just after the sealing that fixed `to`. */
    asOf: z.string(),
  }),
  format: z.literal('jsonl'),
  compression: compressionSchema,
  /** As a full export's (manifest.ts); a delta has a data key of its own. */
  encryption: manifestEncryptionSchema,
  tags: tagsSchema,
  tables: z.array(z.object({ schema: z.string(), name: z.string(), changes: changeCountsSchema })),
  parts: z.array(partSchema),
  /** The audit ledger's head when it was written (see manifest.ts); absent in older manifests. */
  ledger: ledgerAnchorSchema.optional(),
  timings: z.object({ startedAt: z.string(), finishedAt: z.string(), durationMs: z.number() }),
});
export type DeltaManifest = z.infer<typeof deltaManifestSchema>;

/** Catalog `export_files.table_name` of delta parts: they hold the trail, not one table. */
export const DELTA_TABLE_KEY = 'restorepoint_trail.change';

const compressionSuffix: Record<Compression, string> = { zstd: '.zst', gzip: '.gz', none: '' };

/** Deterministic keys of a delta's objects, relative to the destination (a retry overwrites). */
export const deltaObjectNames = {
  manifest: (exportId: string) => objectNames.manifest(exportId),
  folder: (exportId: string) => `${objectNames.exportRoot(exportId)}/trail/`,
  part: (exportId: string, partNo: number, compression: Compression) =>
    `${deltaObjectNames.folder(exportId)}part-${String(partNo).padStart(5, '0')}.jsonl${compressionSuffix[compression]}`,
};
