import { ApplicationFailure, CancellationScope, log, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  addApplied,
  NOTHING_APPLIED,
  retentionRunInputSchema,
  type RetentionApplied,
  type RetentionRunRequest,
  type RetentionRunSummary,
} from '../core/retention-run-input';
import { dataActivity, shortActivity } from './activity-profiles';
import { authorizeStart, type StartAuth } from './authorize-step';

const catalog = proxyActivities<Activities>(shortActivity);
/** Planning reads every export; a batch deletes or rewrites many objects: both heartbeat or get minutes. */
const planning = proxyActivities<Activities>({ ...shortActivity, startToCloseTimeout: '10 minutes' });
const data = proxyActivities<Activities>(dataActivity);

/**
 * One retention run: plan over every export in the catalog (the plan is stored there, under
 * `planId`), then, unless it is a dry run, delete and tier what the plan says, batch by batch,
 * and remove the scratch files killed exports left behind. Only the plan's id and counts pass
 * through here. Deletions run first, newest first within a source, so a run cut short never
 * leaves a kept delta whose parent is gone. The run's record counts what its ledger entries
 * say was done; the ledger's head is then anchored outside the catalog (docs/audit-ledger.md).
 */
export async function retentionWorkflow(request: RetentionRunRequest = {}, auth?: StartAuth): Promise<RetentionRunSummary> {
  const parsed = retentionRunInputSchema.safeParse(request);
  if (!parsed.success) throw ApplicationFailure.nonRetryable(`invalid retention input: ${parsed.error.message}`, 'INPUT_INVALID');
  const info = workflowInfo();
  // Retention spans every source: its roles must be granted for all of them (`*`).
  const caller = await authorizeStart(auth, { permission: parsed.data.dryRun ? 'retention.plan' : 'retention.run', resource: '*', subject: info.workflowId });
  const input = { ...parsed.data, requestedBy: caller.subject };
  // The run id makes the plan id unique even when a workflow id is reused.
  const planId = `${info.workflowId}.${info.runId.slice(0, 8)}`;
  const planned = await planning.planRetentionRun({ planId, policy: input.policy, dryRun: input.dryRun, requestedBy: input.requestedBy });
  const summary = (applied: RetentionApplied): RetentionRunSummary => ({ planId, dryRun: input.dryRun, totals: planned.totals, warnings: planned.warnings, applied });
  if (input.dryRun) return summary(NOTHING_APPLIED);

  let applied = NOTHING_APPLIED;
  try {
    for (const [kind, count] of [['delete', planned.totals.delete], ['tier', planned.totals.tier]] as const) {
      for (let offset = 0; offset < count; offset += input.batchSize) {
        applied = addApplied(applied, await data.applyRetentionBatch({ planId, kind, offset, limit: input.batchSize, actor: input.requestedBy }));
      }
    }
    if (patched('retention-removes-orphans') && (planned.orphans ?? 0) > 0) {
      applied = addApplied(applied, await data.removePlannedOrphans({ planId, actor: input.requestedBy }));
    }
  } catch (error) {
    const message = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    await CancellationScope.nonCancellable(() => catalog.finishRetentionRun({ planId, actor: input.requestedBy, applied, error: message }));
    throw error;
  }
  // Histories recorded before the count existed return nothing here.
  const recorded = await catalog.finishRetentionRun({ planId, actor: input.requestedBy, applied });
  if (patched('retention-anchors-ledger')) {
    try {
      await catalog.anchorLedgerHead({ actor: input.requestedBy, reason: `retention ${planId}` });
    } catch (error) {
      // The deletions are done and recorded; an anchor location that is down must not fail them.
      log.warn('could not anchor the ledger after retention', { planId, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return summary((recorded as RetentionApplied | undefined) ?? applied);
}
