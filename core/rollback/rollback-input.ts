import { z } from 'zod';
import { exportIdSchema } from '../export-input';

/** Rollback ids become workflow ids and schema suffixes: a safe alphabet. */
export const rollbackIdSchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,40}$/, 'lower-case letters, digits, _ and - (at most 41)');

/**
 * What a rollback is asked to do. Only names travel here: the source is a configured
 * connection resolved by the worker, never a URL.
 */
export const rollbackInputSchema = z
  .object({
    rollbackId: rollbackIdSchema,
    /** The configured source whose live data is rolled back (or compared, side by side). */
    source: z.string().min(1),
    /** The state to go back to. Point-in-time targets (restore points) are pending; see docs/rollback.md. */
    target: z.object({ exportId: exportIdSchema }),
    /** Table patterns (`table`, `schema.table`, `*`) of the export; every row of each table is in scope. */
    tables: z.array(z.string().min(1)).min(1),
    /**
     * `in-place` makes live data in scope equal the target; `side-by-side` only loads the
     * target into `sideBySideSchema` of the source database, for inspection, touching nothing live.
     */
    mode: z.enum(['in-place', 'side-by-side']).default('in-place'),
    sideBySideSchema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/).optional(),
    requestedBy: z.string().min(1),
    reason: z.string().min(1),
    /** Rows per statement while applying (progress is reported per batch). */
    batchRows: z.number().int().min(1).default(5000),
    /** How long apply waits for the scope's table locks before it stops and reports the writer. */
    lockTimeoutSeconds: z.number().int().min(1).default(30),
    /** Set by `undo`: the rollback whose safety snapshot this one restores. */
    undoOf: rollbackIdSchema.optional(),
  })
  .refine((r) => r.mode === 'in-place' || r.sideBySideSchema !== undefined, { message: 'side-by-side needs sideBySideSchema', path: ['sideBySideSchema'] });
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
