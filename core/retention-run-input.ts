import { z } from 'zod';
import type { RetentionPolicyInput, RetentionPlan } from './retention';

/**
 * retentionWorkflow's input. A Temporal Schedule stores it and starts the workflow with it
 * long after it was written (`restorepoint schedule retention`): add only optional fields.
 */
export const retentionRunInputSchema = z.object({
  /**
   * The policy to apply, checked by the planning activity against `retentionPolicySchema`;
   * absent means the `retention` key of the worker's config.
   */
  policy: z.custom<RetentionPolicyInput>((v) => typeof v === 'object' && v !== null && !Array.isArray(v)).optional(),
  /** Plan only (`restorepoint retention plan`): nothing is deleted or tiered. */
  dryRun: z.boolean().default(false),
  /** Exports handled per activity: each batch is one retry unit with its own heartbeats. */
  batchSize: z.number().int().min(1).max(1000).default(50),
  requestedBy: z.string().min(1).default('schedule'),
});
export type RetentionRunInput = z.infer<typeof retentionRunInputSchema>;
export type RetentionRunRequest = z.input<typeof retentionRunInputSchema>;

/**
 * Deletions and tiering a batch carried out, and exports it left because they changed since
 * planning or their row could not be acted on. A run's record is counted from the ledger
 * entries of its plan (catalog/retention-runs-repo's tallyRetentionRun), so a run cut short
 * still says what it did.
 */
export interface RetentionApplied {
  readonly deleted: number;
  readonly tiered: number;
  /** Held, busy or gone when their turn came: left alone, each with a ledger entry saying why. */
  readonly skipped: number;
  readonly objectsDeleted: number;
  readonly bytesDeleted: number;
  readonly objectsTiered: number;
  /** Scratch files of killed exports removed (`.~tmp-*`), and their bytes. */
  readonly orphansRemoved: number;
  readonly orphanBytesRemoved: number;
}

export const NOTHING_APPLIED: RetentionApplied = { deleted: 0, tiered: 0, skipped: 0, objectsDeleted: 0, bytesDeleted: 0, objectsTiered: 0, orphansRemoved: 0, orphanBytesRemoved: 0 };

export function addApplied(a: RetentionApplied, b: RetentionApplied): RetentionApplied {
  return {
    deleted: a.deleted + b.deleted,
    tiered: a.tiered + b.tiered,
    skipped: a.skipped + b.skipped,
    objectsDeleted: a.objectsDeleted + b.objectsDeleted,
    bytesDeleted: a.bytesDeleted + b.bytesDeleted,
    objectsTiered: a.objectsTiered + b.objectsTiered,
    orphansRemoved: a.orphansRemoved + b.orphansRemoved,
    orphanBytesRemoved: a.orphanBytesRemoved + b.orphanBytesRemoved,
  };
}

/** What retentionWorkflow returns: counts and the plan's id; the plan itself is read from the catalog. */
export interface RetentionRunSummary {
  readonly planId: string;
  readonly dryRun: boolean;
  readonly totals: RetentionPlan['totals'];
  readonly warnings: number;
  readonly applied: RetentionApplied;
}
