import { ApplicationFailure, CancellationScope, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { describeTail, reconstructInputSchema, type ReconstructRequest, type ReconstructSummary } from '../core/restore-points';
import { dataActivity, shortActivity } from './activity-profiles';
import { authorizeStart, type StartAuth } from './authorize-step';

const short = proxyActivities<Activities>(shortActivity);
const data = proxyActivities<Activities>(dataActivity);

/**
 * Reconstructs tables of a source as they were at a point in time: resolve the restore chain
 * from the catalog, restore its base full export (verified, one transaction), then replay the
 * deltas' archived entries and the trail entries up to that time (one more transaction).
 * Every step is in the audit ledger under `reconstruct:<id>`.
 */
export async function reconstructWorkflow(request: ReconstructRequest, auth?: StartAuth): Promise<ReconstructSummary> {
  const parsed = reconstructInputSchema.safeParse(request);
  if (!parsed.success) throw ApplicationFailure.nonRetryable(`invalid reconstruct input: ${parsed.error.message}`, 'INPUT_INVALID');
  const subject = `reconstruct:${parsed.data.reconstructionId}`;
  // Rebuilding writes into the target, as a restore does: granted per target, like `restore`.
  const caller = await authorizeStart(auth, { permission: 'restore', resource: parsed.data.target, subject }, 'authorize-v2');
  const input = { ...parsed.data, requestedBy: caller.subject };
  const about = { source: input.source, at: input.at, target: input.target, targetSchema: input.targetSchema ?? null, tables: input.tables };
  try {
    const plan = await short.planReconstruction({ source: input.source, at: input.at, tables: input.tables });
    const chain = { baseExportId: plan.base.exportId, deltaExportIds: plan.deltas.map((d) => d.exportId), tail: describeTail(plan.tail) };
    await short.recordLedger({ actor: input.requestedBy, action: 'reconstruct.started', subject, outcome: 'ok', details: { ...about, ...chain } });
    const restored = await data.restoreExport({
      restoreId: `${input.reconstructionId}-base`,
      exportId: plan.base.exportId,
      target: input.target,
      targetSchema: input.targetSchema,
      tables: input.tables,
      verifyFirst: true,
      requestedBy: input.requestedBy,
    });
    const applied = await data.applyChanges({ reconstructionId: input.reconstructionId, plan, target: input.target, targetSchema: input.targetSchema, tables: input.tables });
    const summary: ReconstructSummary = { reconstructionId: input.reconstructionId, at: input.at, ...chain, baseRows: restored.rows, entriesReplayed: applied.entriesReplayed };
    await short.recordLedger({ actor: input.requestedBy, action: 'reconstruct.finished', subject, outcome: 'ok', details: { ...about, ...summary } });
    return summary;
  } catch (error) {
    await CancellationScope.nonCancellable(() =>
      short.recordLedger({ actor: input.requestedBy, action: 'reconstruct.failed', subject, outcome: 'failed', details: { ...about, error: error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error) } }),
    );
    throw error;
  }
}
