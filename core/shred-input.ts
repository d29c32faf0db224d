import { z } from 'zod';
import { exportIdSchema } from './export-input';

/** `exports shred`: destroy one export's data key. A dry run unless `confirm`. */
export const shredInputSchema = z.object({
  exportId: exportIdSchema,
  /** The export's source, as the catalog names it: the caller's role is checked on it (the worker checks they agree). */
  source: z.string().min(1),
  confirm: z.boolean().default(false),
  /** Why (an erasure request's reference): recorded in the ledger. */
  reason: z.string().min(1).max(500),
  requestedBy: z.string().min(1).default('unknown'),
});
export type ShredInput = z.infer<typeof shredInputSchema>;
export type ShredRequest = z.input<typeof shredInputSchema>;

/** What shredding did or, in a dry run, would do: names and dates only. */
export interface ShredOutcome {
  readonly exportId: string;
  readonly dryRun: boolean;
  /** False when the key was already destroyed (shredding is idempotent). */
  readonly changed: boolean;
  readonly keyId: string;
  readonly destroyedAt: string | null;
}

export const shredWorkflowId = (exportId: string, runTag: string) => `shred-${exportId}-${runTag}`;
