import { proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  approvalOutcome,
  decisionSchema,
  evaluateDecision,
  type ApprovalPolicy,
  type Decision,
  type DecisionKind,
  type RecordedDecision,
} from '../core/rollback/approval-policy';
import type { RollbackStage } from '../core/rollback/rollback-state';
import { shortActivity } from './activity-profiles';
import { ifAuthorizePatched } from './authorize-patch';
import { approveSignal, decideUpdate, rejectSignal } from './rollback-messages';

const steps = proxyActivities<Activities>(shortActivity);

export interface ApprovalGate {
  /** Every decision received, accepted or refused, in arrival order. */
  readonly decisions: readonly RecordedDecision[];
  outcome(): 'approved' | 'rejected' | 'pending';
  /** The preview digest each accepted approval named: apply refuses unless all equal the preview it applies. */
  approvedDigests(): readonly string[];
}

/** What the gate judges against besides the policy: whose rollback this is, and the preview approvers must name. */
export interface ApprovalContext {
  readonly rollbackId: string;
  readonly source: string;
  /** The verified subject who asked for the rollback. */
  readonly requestedBy: string;
  readonly stage: () => RollbackStage;
  readonly previewDigest: () => string | null;
}

/**
 * Installs the `approve`/`reject` signals and the `decide` update. Each decision is first
 * proven: the `authorize` activity verifies its credential, checks the approve (or reject)
 * permission on the source, binds the token to this rollback (a replay onto another one is
 * refused) and refuses a `by` that is not the verified subject. The policy then judges the
 * verified subject synchronously (so two arriving together cannot both be the "first"), and an
 * approval must name the digest of the preview awaiting approval. Every decision is kept in
 * the status and written to the ledger by `record`; a refused one changes nothing else.
 */
export function installApprovalGate(policy: ApprovalPolicy, context: ApprovalContext, record: (decision: RecordedDecision) => Promise<void>): ApprovalGate {
  const decisions: RecordedDecision[] = [];
  const digests: string[] = [];
  const keep = (decision: RecordedDecision): RecordedDecision => {
    decisions.push(decision);
    return decision;
  };
  const decide = async (kind: DecisionKind, payload: unknown): Promise<RecordedDecision> => {
    const parsed = decisionSchema.safeParse(payload);
    const claimed = parsed.success ? parsed.data.by : String((payload as { by?: unknown } | null)?.by ?? 'unknown');
    const comment = parsed.success ? parsed.data.comment : '';
    const refused = (by: string, reason: string): RecordedDecision => keep({ kind, by, comment, accepted: false, reason });
    if (!parsed.success) return refused(claimed, `malformed decision: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    if (context.stage() !== 'awaiting-approval') return refused(claimed, `the rollback is ${context.stage()}, not awaiting approval`);
    // A run started before verified identities (no `authorize-v1` marker) cannot be approved by anyone
    // proven: every decision on it is refused and it expires at its approval timeout (CHANGELOG).
    const decision: Decision = parsed.data;
    const auth = await ifAuthorizePatched(
      'authorize-v1',
      () =>
        steps.authorize({
          credential: decision.credential ?? null,
          permission: kind === 'approve' ? 'rollback.approve' : 'rollback.reject',
          resource: context.source,
          subject: context.rollbackId,
          claimedName: decision.by,
          bindTokenTo: { purpose: 'rollback.decision', object: context.rollbackId },
        }),
      null,
    );
    if (auth === null) return refused(`unverified (claims ${claimed})`, 'this rollback was started before verified identities; it cannot be decided on — let it expire and start it again');
    if (!auth.granted) return refused(auth.subject ?? `unverified (claims ${claimed})`, `${auth.code}: ${auth.reason}`);
    const by = auth.principal.subject;
    // Judged again after the await: the stage may have moved while the credential was checked.
    if (context.stage() !== 'awaiting-approval') return refused(by, `the rollback is ${context.stage()}, not awaiting approval`);
    const shown = context.previewDigest();
    if (kind === 'approve' && decision.previewDigest !== shown) {
      return refused(by, decision.previewDigest ? `the approval names preview ${decision.previewDigest.slice(0, 12)}…, the rollback awaits approval of ${shown?.slice(0, 12)}…` : 'an approval must name the digest of the preview it approves');
    }
    const judged = keep(evaluateDecision(policy, context.requestedBy, kind, { ...decision, by }, decisions));
    if (judged.accepted && kind === 'approve' && shown) digests.push(shown);
    return judged;
  };
  setHandler(approveSignal, async (payload) => record(await decide('approve', payload)));
  setHandler(rejectSignal, async (payload) => record(await decide('reject', payload)));
  setHandler(
    decideUpdate,
    async (payload) => {
      const decision = await decide(payload.kind, payload);
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
  return { decisions, outcome: () => approvalOutcome(policy, decisions), approvedDigests: () => digests };
}
