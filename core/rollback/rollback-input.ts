import { z } from 'zod';
import { destinationSchema, exportIdSchema } from '../export-input';
import { newSchemaNameSchema } from '../new-schema-name';

/** Rollback ids become workflow ids and schema suffixes: a safe alphabet. */
export const rollbackIdSchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,40}$/, 'lower-case letters, digits, _ and - (at most 41)');

const isoTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/, 'an ISO 8601 time with an offset');

/**
 * The trail entries a targeted revert undoes (all filters must hold); the trail's own
 * selection schema checks it again where it is used.
 */
export const revertSelectionSchema = z
  .object({
    xids: z.array(z.string().regex(/^\d+$/, 'a transaction id')).min(1).optional(),
    actor: z.string().min(1).optional(),
    from: isoTime.optional(),
    until: isoTime.optional(),
    tables: z.array(z.string().regex(/^[^.]+\.[^.]+$/, 'schema.table')).min(1).optional(),
  })
  .refine((s) => Object.values(s).some((v) => v !== undefined), 'select by at least one of xids, actor, from, until, tables');
export type RevertSelection = z.infer<typeof revertSelectionSchema>;

/**
 * A rollback's point in time. Unlike `reconstruct --at`, the offset is required: the worker
 * and the database would each read a bare local time in their own time zone, and a rollback
 * overwrites live rows.
 */
const rollbackPointInTime = isoTime.refine((s) => !Number.isNaN(Date.parse(s)), 'a real date and time');

/**
 * Back to an export's state; back to the state at a point in time (`at`, resolved through the
 * source's restore points: a full export, its deltas and the trail, as `reconstruct --at`
 * does); or (targeted revert) undo the trail entries a selection picks.
 */
export const rollbackTargetSchema = z.union([
  z.object({ exportId: exportIdSchema }).strict(),
  z.object({ at: rollbackPointInTime }).strict(),
  z.object({ trail: revertSelectionSchema }).strict(),
]);
export type RollbackTarget = z.infer<typeof rollbackTargetSchema>;

/**
 * What a rollback is asked to do. Only names travel here: the source is a configured
 * connection resolved by the worker, never a URL.
 */
export const rollbackInputSchema = z
  .object({
    rollbackId: rollbackIdSchema,
    /**
     * The configured source whose live data is rolled back (or compared, side by side). A
     * configured name, not `local:<database>`: the safety snapshot is an export of it.
     */
    source: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'a configured source name'),
    /** The state to go back to: an export, a point in time, or trail entries to undo (docs/rollback.md). */
    target: rollbackTargetSchema,
    /** Table patterns (`table`, `schema.table`, `*`) of the export (for a point in time, of its base export); every row of each table is in scope. A revert's scope is the tables its entries touched. */
    tables: z.array(z.string().min(1)).default([]),
    /**
     * Narrows tables to the rows with these primary keys (`{"customer": [{"customer_id": 1}]}`);
     * other rows of those tables are left alone. Keys are values, never SQL.
     */
    keys: z.record(z.string(), z.array(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))).min(1)).default({}),
    /**
     * Narrows tables to the rows a SQL boolean expression over the table's own columns picks
     * (`{"film": "rating = 'PG' and length > 90"}`). Prepare resolves it once to the primary
     * keys of the rows that match in the target state or in live data, and from then on the
     * scope is those keys, exactly as with `keys` (docs/rollback.md, "Row predicates").
     */
    where: z.record(z.string().min(1), z.string().min(1)).default({}),
    /** Where a revert's safety snapshot is written (an export target writes it beside the export). */
    snapshotDestination: destinationSchema.optional(),
    /**
     * `in-place` makes live data in scope equal the target; `side-by-side` only loads the
     * target into `sideBySideSchema` of the source database, for inspection, touching nothing live.
     */
    mode: z.enum(['in-place', 'side-by-side']).default('in-place'),
    sideBySideSchema: newSchemaNameSchema.optional(),
    requestedBy: z.string().min(1),
    reason: z.string().min(1),
    /** Rows per statement while applying (progress is reported per batch). */
    batchRows: z.number().int().min(1).default(5000),
    /** How long apply waits for the scope's table locks before it stops and reports the writer. */
    lockTimeoutSeconds: z.number().int().min(1).default(30),
    /** Set by `undo`: the rollback whose safety snapshot this one restores. */
    undoOf: rollbackIdSchema.optional(),
  })
  .refine((r) => r.mode === 'in-place' || r.sideBySideSchema !== undefined, { message: 'side-by-side needs sideBySideSchema', path: ['sideBySideSchema'] })
  .refine((r) => 'trail' in r.target || r.tables.length > 0, { message: 'name the tables to roll back', path: ['tables'] })
  .refine((r) => !('trail' in r.target) || (r.mode === 'in-place' && r.snapshotDestination !== undefined), { message: 'a revert runs in place and needs snapshotDestination', path: ['snapshotDestination'] })
  .refine((r) => !('trail' in r.target) || Object.keys(r.where).length === 0, { message: 'a revert is scoped by its trail selection, not by a row predicate', path: ['where'] });
export type RollbackInput = z.infer<typeof rollbackInputSchema>;
export type RollbackRequest = z.input<typeof rollbackInputSchema>;

export function rollbackWorkflowId(rollbackId: string): string {
  return `rollback-${rollbackId}`;
}

/** The schema, in the source database, that holds the target state while the rollback runs. */
export function stagingSchemaName(rollbackId: string, purpose: 'stage' | 'compensate' = 'stage'): string {
  return `rp_${purpose}_${rollbackId.replace(/-/g, '_')}`;
}

/** The export id of a rollback's safety snapshot (the live state of the scope just before apply). */
export function safetyExportId(rollbackId: string): string {
  return `${rollbackId}-safety`;
}

/** The target in one line: the export id, the point in time, or the revert's trail selection. */
export function targetLabel(target: RollbackTarget): string {
  if ('exportId' in target) return target.exportId;
  return 'at' in target ? `at ${target.at}` : `trail ${JSON.stringify(target.trail)}`;
}
