import { z } from 'zod';
import { exportRoleSchema } from '../export-input';
import { storageClassSchema } from './storage-class';

/**
 * What the retention planner needs to know about one export, and nothing more. Built from a
 * catalog row by an activity, so it is plain data a workflow may hold.
 *
 * The planner must see every export of the sources it plans for (deleted rows too): chains
 * are followed through `parentExportId` and `baseExportId`, and an ancestor that is absent
 * from the input counts as missing.
 */
export const exportSummarySchema = z
  .object({
    id: z.string().min(1),
    source: z.string().min(1),
    mode: z.enum(['full', 'incremental']),
    /** The export this delta was taken against; null for a full export. */
    parentExportId: z.string().nullable(),
    /** The full export at the root of this delta's chain; null for a full export. */
    baseExportId: z.string().nullable(),
    /** `safety-snapshot`: a rollback's export of its scope, kept for `rollback undo`; never a restore point of the source. */
    role: exportRoleSchema,
    /** Full: taken with a table selection (`--tables`, `--exclude`), so it holds only some tables; never a restore point of the source. */
    partial: z.boolean(),
    createdAt: z.iso.datetime({ offset: true }),
    status: z.enum(['succeeded', 'failed', 'running', 'requested', 'deleted']),
    verificationStatus: z.enum(['unverified', 'verified', 'corrupt']),
    legalHold: z.boolean(),
    /** Being verified or restored right now: its objects are being read. */
    busy: z.boolean(),
    /** Only the tags a policy can scope by; others are dropped when parsing. */
    tags: z.object({ environment: z.string().optional(), dataDomain: z.string().optional() }).readonly(),
    /** The class its objects are stored in; null where storage has no classes (a local folder). */
    storageClass: storageClassSchema.nullable(),
  })
  .readonly();
export type ExportSummary = z.infer<typeof exportSummarySchema>;

/** The change trail's own schema (trail/): its tables hold a source's history, not the app's data. */
const TRAIL_SCHEMA = 'restorepoint_trail';

/**
 * Whether an export's recorded tables (`schema.name`) hold none of the app's: only the change
 * trail's, or nothing. Such an export restores no app data, so it is never a restore point.
 * Null (no list recorded, older exports) says nothing.
 */
export function holdsNoAppTables(tables: readonly string[] | null): boolean {
  return tables !== null && tables.every((t) => t.startsWith(`${TRAIL_SCHEMA}.`));
}
