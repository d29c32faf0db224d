import { z } from 'zod';

/**
 * The payload of the rollback's `withdraw` update. `by` is only a claim: the withdrawal counts
 * for the subject the credential proves, who must hold `rollback.withdraw` and be the requester.
 */
export const withdrawalSchema = z.object({
  by: z.string().min(1),
  comment: z.string().default(''),
  credential: z.object({ token: z.string().optional() }).optional(),
});
export type WithdrawalRequest = z.input<typeof withdrawalSchema>;

/**
 * A withdrawal as the workflow recorded it: accepted, or refused with the reason and the code
 * the client turns into a typed error (PERMISSION_DENIED / AUTH_INVALID for who asked,
 * ROLLBACK_NOT_PENDING for when).
 */
export interface RecordedWithdrawal {
  readonly by: string;
  readonly comment: string;
  readonly accepted: boolean;
  readonly code: 'PERMISSION_DENIED' | 'AUTH_INVALID' | 'ROLLBACK_NOT_PENDING' | 'INPUT_INVALID' | null;
  readonly reason: string | null;
}
