import { z } from 'zod';

/** legalHoldWorkflow's input: place (`add`) or release (`remove`) an export's legal hold. */
export const holdInputSchema = z.object({
  exportId: z.string().min(1),
  change: z.enum(['add', 'remove']),
  reason: z.string().trim().min(1, 'a reason is required: holds are audited'),
  /** A claim: the worker records the verified subject instead, and refuses a claim that differs. */
  requestedBy: z.string().min(1).optional(),
});
export type HoldRequest = z.input<typeof holdInputSchema>;

/** A legal hold as it travels through a workflow: times as ISO strings. */
export interface HoldView {
  readonly id: string;
  readonly exportId: string;
  readonly reason: string;
  readonly placedBy: string;
  readonly placedAt: string;
  readonly releasedBy: string | null;
  readonly releaseReason: string | null;
  readonly releasedAt: string | null;
}

/** `changed: false` when the export was already in the asked state; `hold` is then the active (or last) one. */
export interface HoldResult {
  readonly changed: boolean;
  readonly hold: HoldView | null;
}

export const holdWorkflowId = (exportId: string, change: 'add' | 'remove', nonce: string) => `hold-${change}-${exportId.slice(0, 120)}-${nonce}`;
