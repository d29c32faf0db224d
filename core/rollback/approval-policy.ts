import { z } from 'zod';

/** The approval rules a rollback runs under, read from the worker's config (`approval`). */
export interface ApprovalPolicy {
  /** Distinct approvers needed. */
  readonly approversRequired: number;
  /** Verified subjects who may decide, on top of holding the approve permission; empty: everyone who holds it. */
  readonly approvers: readonly string[];
  readonly requesterMayApprove: boolean;
  readonly timeoutSeconds: number;
}

/**
 * The payload of the `approve` and `reject` signals and of the `decide` update. `by` is only
 * a claim: the decision counts for the subject the credential proves, and is refused when the
 * two differ. `previewDigest` names the preview the approver saw (docs/security.md).
 */
export const decisionSchema = z.object({
  by: z.string().min(1),
  comment: z.string().default(''),
  credential: z.object({ token: z.string().optional() }).optional(),
  previewDigest: z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 hex digest').optional(),
});
export type Decision = z.infer<typeof decisionSchema>;
export type DecisionRequest = z.input<typeof decisionSchema>;

export type DecisionKind = 'approve' | 'reject';

/** A decision as the workflow recorded it: accepted, or refused with the reason. */
export interface RecordedDecision {
  readonly kind: DecisionKind;
  readonly by: string;
  readonly comment: string;
  readonly accepted: boolean;
  readonly reason: string | null;
}

/**
 * Whether `by` may take a decision on a rollback asked for by `requestedBy`, as a value:
 * refusals are expected and recorded, not thrown. Rejecting is held to the same rules as
 * approving, so an outsider cannot cancel a rollback either.
 */
export function evaluateDecision(policy: ApprovalPolicy, requestedBy: string, kind: DecisionKind, decision: Decision, earlier: readonly RecordedDecision[]): RecordedDecision {
  const refuse = (reason: string): RecordedDecision => ({ kind, by: decision.by, comment: decision.comment, accepted: false, reason });
  // The list narrows who may decide further, on top of the approve permission the worker checked; empty: anyone holding it.
  if (policy.approvers.length > 0 && !policy.approvers.includes(decision.by)) return refuse(`${decision.by} does not hold the approver role`);
  if (!policy.requesterMayApprove && decision.by === requestedBy) return refuse('the requester may not decide on their own rollback');
  if (kind === 'approve' && earlier.some((d) => d.accepted && d.kind === 'approve' && d.by === decision.by)) return refuse(`${decision.by} has already approved`);
  return { kind, by: decision.by, comment: decision.comment, accepted: true, reason: null };
}

/** Where the decisions so far leave the rollback. */
export function approvalOutcome(policy: ApprovalPolicy, decisions: readonly RecordedDecision[]): 'approved' | 'rejected' | 'pending' {
  if (decisions.some((d) => d.accepted && d.kind === 'reject')) return 'rejected';
  const approvers = new Set(decisions.filter((d) => d.accepted && d.kind === 'approve').map((d) => d.by));
  return approvers.size >= policy.approversRequired ? 'approved' : 'pending';
}
