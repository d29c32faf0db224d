import { setHandler } from '@temporalio/workflow';
import {
  approvalOutcome,
  decisionSchema,
  evaluateDecision,
  type ApprovalPolicy,
  type DecisionKind,
  type RecordedDecision,
} from '../core/rollback/approval-policy';
import type { RollbackStage } from '../core/rollback/rollback-state';
import { approveSignal, decideUpdate, rejectSignal } from './rollback-messages';

export interface ApprovalGate {
  /** Every decision received, accepted or refused, in arrival order. */
  readonly decisions: readonly RecordedDecision[];
  outcome(): 'approved' | 'rejected' | 'pending';
}

/**
 * Installs the `approve`/`reject` signals and the `decide` update. Each decision is judged
 * synchronously against the policy (so two arriving together cannot both be the "first"),
 * kept in the status, then written to the ledger by `record`. A refused decision changes
 * nothing but its own ledger entry.
 */
export function installApprovalGate(policy: ApprovalPolicy, requestedBy: string, stage: () => RollbackStage, record: (decision: RecordedDecision) => Promise<void>): ApprovalGate {
  const decisions: RecordedDecision[] = [];
  const decide = (kind: DecisionKind, payload: unknown): RecordedDecision => {
    const parsed = decisionSchema.safeParse(payload);
    const by = parsed.success ? parsed.data.by : String((payload as { by?: unknown } | null)?.by ?? 'unknown');
    const refused = (reason: string): RecordedDecision => ({ kind, by, comment: parsed.success ? parsed.data.comment : '', accepted: false, reason });
    const decision = !parsed.success
      ? refused(`malformed decision: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`)
      : stage() !== 'awaiting-approval'
        ? refused(`the rollback is ${stage()}, not awaiting approval`)
        : evaluateDecision(policy, requestedBy, kind, parsed.data, decisions);
    decisions.push(decision);
    return decision;
  };
  setHandler(approveSignal, (payload) => record(decide('approve', payload)));
  setHandler(rejectSignal, (payload) => record(decide('reject', payload)));
  setHandler(
    decideUpdate,
    async (payload) => {
      const decision = decide(payload.kind, payload);
      await record(decision);
      return decision;
    },
    {
      validator: (payload) => {
        if (payload?.kind !== 'approve' && payload?.kind !== 'reject') throw new Error('kind must be approve or reject');
        decisionSchema.parse(payload);
        // A well-formed decision outside the approval stage is accepted here so that the handler
        // records it (refused) in the ledger: a late approver learns why, and the ledger knows.
      },
    },
  );
  return { decisions, outcome: () => approvalOutcome(policy, decisions) };
}
