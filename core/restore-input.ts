import { z } from 'zod';
import { exportIdSchema } from './export-input';
import { newSchemaNameSchema } from './new-schema-name';
import { sourceNameSchema } from './source-name';

/** Restore targets are configured connections, never URLs: nothing secret enters workflow history. */
export const restoreInputSchema = z.object({
  restoreId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/),
  exportId: exportIdSchema,
  /** A configured source name; on the local stack, `local:<database>` names any database there. */
  target: sourceNameSchema,
  /**
   * Restore the tables into this schema instead of their own (created when missing), as
   * plain tables with their columns and primary keys: a scratch or staging copy.
   */
  targetSchema: newSchemaNameSchema.optional(),
  tables: z.array(z.string().min(1)).default([]),
  /** Check every object's checksums before the first row is loaded (reads everything twice). */
  verifyFirst: z.boolean().default(true),
  /** Restore an export its last verification found corrupt (refused with EXPORT_CORRUPT otherwise). */
  allowCorrupt: z.boolean().default(false),
  requestedBy: z.string().min(1).default('unknown'),
});
export type RestoreInput = z.infer<typeof restoreInputSchema>;
export type RestoreRequest = z.input<typeof restoreInputSchema>;

export function restoreWorkflowId(restoreId: string): string {
  return `restore-${restoreId}`;
}

export interface RestoredTable {
  readonly table: string;
  readonly rows: number;
  readonly parts: number;
}

export interface RestoreSummary {
  readonly restoreId: string;
  readonly exportId: string;
  readonly mode: 'empty-database' | 'existing-tables' | 'schema';
  readonly tables: readonly RestoredTable[];
  readonly rows: number;
  readonly sequences: number;
  /** Large objects created (a whole export of a database that had some; never into a schema). */
  readonly largeObjects?: number;
}
