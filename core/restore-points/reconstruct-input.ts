import { z } from 'zod';
import { sourceNameSchema } from '../source-name';
import { newSchemaNameSchema } from '../new-schema-name';

const idSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'letters, digits, ., _ and - (at most 128)');
/** An ISO 8601 time with its offset; kept as given so microseconds survive. */
export const pointInTimeSchema = z.string().refine((s) => /^\d{4}-\d\d-\d\dT/.test(s) && !Number.isNaN(Date.parse(s)), 'an ISO 8601 time, e.g. 2026-11-22T09:30:00Z');

/** A reconstruction of a source's tables at a point in time, into a configured target. */
export const reconstructInputSchema = z.object({
  reconstructionId: idSchema,
  source: sourceNameSchema,
  at: pointInTimeSchema,
  /** A configured source name, or `local:<database>` on the local stack. */
  target: sourceNameSchema,
  /** Reconstruct into this schema as plain tables (see restore's targetSchema) instead of an empty database. */
  targetSchema: newSchemaNameSchema.optional(),
  tables: z.array(z.string().min(1)).default([]),
  requestedBy: z.string().min(1).default('unknown'),
});
export type ReconstructInput = z.infer<typeof reconstructInputSchema>;
export type ReconstructRequest = z.input<typeof reconstructInputSchema>;

export const reconstructWorkflowId = (reconstructionId: string) => `reconstruct-${reconstructionId}`;

export interface ReconstructSummary {
  readonly reconstructionId: string;
  readonly at: string;
  readonly baseExportId: string;
  readonly deltaExportIds: readonly string[];
  readonly tail: string;
  readonly baseRows: number;
  readonly entriesReplayed: number;
}

/** Pruning a source's trail (docs/incremental-and-point-in-time.md). */
export const pruneInputSchema = z.object({
  source: sourceNameSchema,
  through: z.number().int().min(1).optional(),
  dryRun: z.boolean().default(false),
  requestedBy: z.string().min(1).default('unknown'),
});
export type PruneRequest = z.input<typeof pruneInputSchema>;
