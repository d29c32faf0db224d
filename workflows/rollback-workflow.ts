import { allHandlersFinished, ApplicationFailure, CancellationScope, condition, isCancellation, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PreparedScope } from '../activities/rollback';
import type { RollbackStep } from '../activities/rollback/rollback-steps';
import type { RestorePointSummary } from '../core/restore-points';
import { rollbackInputSchema, safetyExportId, stagingSchemaName, targetLabel, type RollbackInput, type RollbackRequest } from '../core/rollback/rollback-input';
import type { ApprovalPolicy } from '../core/rollback/approval-policy';
import type { RollbackPreview } from '../core/rollback/rollback-preview';
import { FINAL_STAGES, NEXT_STAGES, type ApplyProgress, type RollbackFailure, type RollbackStage, type RollbackStatus, type ValidationReport } from '../core/rollback/rollback-state';
import { failureSummary } from '../core/errors';
import { dataActivity, shortActivity } from './activity-profiles';
import { ifAuthorizePatched } from './authorize-patch';
import { authorizeStart, delegateTo, type StartAuth } from './authorize-step';
import { installApprovalGate, type ApprovalGate } from './rollback-approval';
import { compensate } from './rollback-compensation';
import { rollbackStatusQuery } from './rollback-messages';
import { takeSafetySnapshot } from './rollback-safety-snapshot';
import { installWithdrawal } from './rollback-withdrawal';
import { targetStages } from './rollback-target-stages';
import { exportWorkflowId } from '../core/export-input';
import { markRollback } from './search-attributes';

const steps = proxyActivities<Activities>(shortActivity);
const data = proxyActivities<Activities>(dataActivity);

/**
 * Puts the data in scope back to a target state, as an explicit state machine:
 * preparing → previewing → awaiting-approval → snapshotting → applying → validating → done,
 * with `rejected`/`cancelled` before anything live changed, and `compensating` (back to the
 * safety snapshot) if anything fails once it has. Side by side it stops after previewing and
 * validating the staged copy. Every step writes the ledger; rows never enter history.
 */
export async function rollbackWorkflow(request: RollbackRequest, auth?: StartAuth): Promise<RollbackStatus> {
  const parsed = rollbackInputSchema.safeParse(request);
  if (!parsed.success) throw ApplicationFailure.nonRetryable(`invalid rollback input: ${parsed.error.message}`, 'INPUT_INVALID');
  let input: RollbackInput = parsed.data;
  const stagingSchema = input.mode === 'side-by-side' ? input.sideBySideSchema! : stagingSchemaName(input.rollbackId);
  const state = {
    stage: 'preparing' as RollbackStage,
    preview: null as RollbackPreview | null,
    previewDigest: null as string | null,
    progress: { table: null, rowsApplied: 0, rowsPlanned: 0 } as ApplyProgress,
    validation: null as ValidationReport | null,
    safetyExportId: null as string | null,
    deadline: null as string | null,
    outcome: null as string | null,
    restorePoint: null as RestorePointSummary | null,
    failure: null as RollbackFailure | null,
    history: [{ stage: 'preparing' as RollbackStage, at: new Date().toISOString() }],
  };
  const record = (step: Omit<RollbackStep, 'rollbackId' | 'actor'> & { actor?: string }) =>
    steps.recordRollbackStep({ rollbackId: input.rollbackId, actor: step.actor ?? input.requestedBy, ...step });
  const move = async (next: RollbackStage, outcome?: string) => {
    if (!NEXT_STAGES[state.stage].includes(next)) throw ApplicationFailure.nonRetryable(`rollback cannot move from ${state.stage} to ${next}`, 'INPUT_INVALID');
    state.stage = next;
    markRollback(input, next);
    state.history.push({ stage: next, at: new Date().toISOString() });
    if (outcome !== undefined) state.outcome = outcome;
    await steps.recordRollbackStep({ rollbackId: input.rollbackId, actor: input.requestedBy, action: `rollback.stage.${next}`, outcome: next === 'failed' ? 'failed' : next === 'cancelled' || next === 'rejected' ? 'cancelled' : 'ok', details: { outcome: state.outcome, ...(next === 'failed' && state.failure ? { error: state.failure } : {}) }, changes: { stage: next, ...(outcome !== undefined ? { outcome } : {}) } });
  };

  // The query answers from the first moment, before the policy is loaded.
  let policy: ApprovalPolicy | null = null;
  let gate: ApprovalGate | null = null;
  const statusNow = (): RollbackStatus => ({
    rollbackId: input.rollbackId,
    stage: state.stage,
    mode: input.mode,
    source: input.source,
    targetExportId: targetLabel(input.target),
    restorePoint: state.restorePoint,
    where: input.where,
    requestedBy: input.requestedBy,
    reason: input.reason,
    preview: state.preview,
    previewDigest: state.previewDigest,
    approvalsRequired: policy?.approversRequired ?? 0,
    decisions: gate?.decisions ?? [],
    approvalDeadline: state.deadline,
    safetyExportId: state.safetyExportId,
    progress: state.progress,
    validation: state.validation,
    outcome: state.outcome,
    failure: state.failure,
    history: state.history,
  });
  setHandler(rollbackStatusQuery, statusNow);

  // The requester is the verified caller, never the name in the input (docs/security.md).
  const permission = 'trail' in input.target ? 'rollback.revert' : input.undoOf !== undefined ? 'rollback.undo' : 'rollback.start';
  const caller = await authorizeStart(auth, { permission, resource: input.source, subject: input.rollbackId });
  input = { ...input, requestedBy: caller.subject };
  markRollback(input, state.stage);
  try {
    await steps.registerRollback(input);
  } catch (error) {
    // Refused by the source's feature flags (FEATURE_DISABLED): nothing started, and the status says why.
    state.failure = failureSummary(error);
    await CancellationScope.nonCancellable(() => move('failed', `refused, nothing was changed: ${state.failure!.code}: ${state.failure!.message}`));
    throw error;
  }
  policy = await steps.rollbackPolicy();
  const approvalContext = { rollbackId: input.rollbackId, source: input.source, requestedBy: input.requestedBy, stage: () => state.stage, previewDigest: () => state.previewDigest };
  const approval = installApprovalGate(policy, approvalContext, (d) =>
    record({ actor: d.by, action: d.accepted ? `rollback.${d.kind === 'approve' ? 'approved' : 'rejected'}` : 'rollback.decision.refused', outcome: d.accepted ? 'ok' : 'refused', details: { kind: d.kind, comment: d.comment, reason: d.reason } }),
  );
  gate = approval;
  const withdrawal = installWithdrawal(approvalContext, (w) =>
    record({ actor: w.by, action: w.accepted ? 'rollback.withdrawn' : 'rollback.withdraw.refused', outcome: w.accepted ? 'ok' : 'refused', details: { comment: w.comment, code: w.code, reason: w.reason } }),
  );
  const dropStaging = () => CancellationScope.nonCancellable(() => data.dropStaging({ source: input.source, schema: stagingSchema }));

  const stages = targetStages(input, stagingSchema);
  let prepared: PreparedScope | null = null;
  let liveAfter: Readonly<Record<string, string>> | null = null;
  try {
    // A point in time is turned into exports and a trail range first, so status and ledger say what it meant.
    state.restorePoint = await stages.resolve();
    if (state.restorePoint) await record({ action: 'rollback.restore-point.resolved', outcome: 'ok', details: { ...state.restorePoint } });
    prepared = await stages.prepare();
    await record({
      action: 'rollback.prepared',
      outcome: 'ok',
      details: {
        target: input.target,
        stagingSchema,
        tables: prepared.tables.map((t) => `${t.schema}.${t.name}`),
        stagedRows: prepared.stagedRows,
        // The scope as approvers will see it: each narrowed table, its predicate and the keys it resolved to.
        narrowed: Object.fromEntries(prepared.tables.filter((t) => t.keysTable !== null).map((t) => [`${t.schema}.${t.name}`, { where: t.where, keys: t.keysInScope }])),
        ...(state.restorePoint ? { restorePoint: state.restorePoint, entriesReplayed: prepared.entriesReplayed } : {}),
      },
    });

    await move('previewing');
    const preview = await stages.preview(prepared);
    state.preview = preview;
    state.previewDigest = await ifAuthorizePatched('authorize-v1', () => steps.previewDigest(preview), null);
    await record({ action: 'rollback.previewed', outcome: 'ok', details: { totals: state.preview.totals } });

    if (input.mode === 'side-by-side') {
      await move('validating');
      state.validation = await stages.validate(prepared);
      await move('done', `the target state is in schema ${stagingSchema} of ${input.source}; live data was not touched`);
      return finish();
    }
    // A preview with conflicts is shown, never applied: apply would refuse it anyway.
    if (state.preview.totals.conflicts > 0) {
      await move('failed', `the preview found ${state.preview.totals.conflicts} conflicting rows (see \`restorepoint rollback preview ${input.rollbackId}\`); narrow the scope or resolve them first; nothing was changed`);
      await dropStaging();
      return finish();
    }

    await move('awaiting-approval');
    if (policy.approvers.length > 0 && policy.approvers.length < policy.approversRequired) {
      await move('failed', `the approval policy cannot be met: ${policy.approversRequired} approvers needed, ${policy.approvers.length} hold the role (config approval.approvers)`);
      await dropStaging();
      return finish();
    }
    state.deadline = new Date(Date.now() + policy.timeoutSeconds * 1000).toISOString();
    const decided = await condition(() => approval.outcome() !== 'pending' || withdrawal.accepted() !== null, policy.timeoutSeconds * 1000);
    // A withdrawal accepted in the same moment as a decision wins: the requester took it back first.
    const withdrawn = withdrawal.accepted();
    if (withdrawn) {
      await move('cancelled', `withdrawn by the requester ${withdrawn.by}; nothing was changed`);
      await dropStaging();
      return finish();
    }
    if (!decided || approval.outcome() === 'rejected') {
      await move(decided ? 'rejected' : 'cancelled', decided ? 'rejected by an approver; nothing was changed' : `no decision within ${policy.timeoutSeconds}s; nothing was changed`);
      await dropStaging();
      return finish();
    }

    // Apply only the preview that was approved: every approval named its digest.
    const applying = await ifAuthorizePatched('authorize-v1', () => steps.previewDigest(preview), null);
    const stale = approval.approvedDigests().filter((d) => d !== applying);
    if (stale.length > 0) {
      await move('failed', `the preview changed after ${stale.length} approval(s) named another one; nothing was changed`);
      await dropStaging();
      return finish();
    }

    await move('snapshotting');
    await delegateTo(exportWorkflowId(safetyExportId(input.rollbackId)), caller, 'export', input.source);
    const snapshotId = await takeSafetySnapshot(input, prepared);
    state.safetyExportId = snapshotId;
    await record({ action: 'rollback.snapshot.taken', outcome: 'ok', details: { safetyExportId: snapshotId }, changes: { safetyExportId: snapshotId } });

    await move('applying');
    try {
      const applied = await stages.apply(prepared, state.preview);
      liveAfter = applied.liveAfter;
      const rows = applied.deleted + applied.upserted;
      state.progress = { table: null, rowsApplied: rows, rowsPlanned: rows };
      await record({ action: 'rollback.applied', outcome: 'ok', details: { deleted: applied.deleted, upserted: applied.upserted, sequences: applied.sequences, alreadyApplied: applied.alreadyApplied } });
    } catch (error) {
      // Apply is one transaction: when it fails, live data is as it was.
      state.failure = failureSummary(error);
      await CancellationScope.nonCancellable(async () => {
        await record({ action: 'rollback.apply.failed', outcome: 'failed', details: { error: state.failure, liveChanged: false } });
        await move('failed', `apply stopped, live data unchanged: ${state.failure!.code}: ${state.failure!.message}`);
      });
      await dropStaging();
      throw error;
    }

    await move('validating');
    state.validation = await stages.validate(prepared);
    await record({ action: 'rollback.validated', outcome: state.validation.ok ? 'ok' : 'failed', details: { ...state.validation } });
    if (!state.validation.ok) throw ApplicationFailure.nonRetryable('validation found differences after apply', 'ROLLBACK_REFUSED');
    await move('done', `applied and validated; undo with \`restorepoint rollback undo ${input.rollbackId}\``);
    await dropStaging();
    return finish();
  } catch (error) {
    if (FINAL_STAGES.includes(state.stage)) throw error;
    state.failure = failureSummary(error);
    if (liveAfter !== null && prepared !== null) {
      const expected = liveAfter;
      const scope = prepared;
      await CancellationScope.nonCancellable(() => compensate({ input, scope, expectedLive: expected, move, record, reason: describe(error) }));
      await dropStaging();
      if (state.stage === 'compensated') return finish();
      throw error;
    }
    await CancellationScope.nonCancellable(async () => {
      const why = isCancellation(error) ? describe(error) : `${state.failure!.code}: ${state.failure!.message}`;
      await move(isCancellation(error) ? 'cancelled' : 'failed', `${isCancellation(error) ? 'cancelled' : 'failed'} before live data changed: ${why}`);
      await data.dropStaging({ source: input.source, schema: stagingSchema });
    });
    throw error;
  }

  async function finish(): Promise<RollbackStatus> {
    // Decisions still being written to the ledger finish before the workflow does.
    await condition(allHandlersFinished);
    return statusNow();
  }
}

/** The innermost message of a failure (activity failures wrap the activity's error). */
export function describe(error: unknown): string {
  let current = error as Error | undefined;
  while (current?.cause instanceof Error) current = current.cause;
  return current?.message ?? String(error);
}
