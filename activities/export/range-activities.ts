import { Context } from '@temporalio/activity';
import type pg from 'pg';
import type { ExportRangePlan } from '../../core/export-ranges';
import type { ManifestPart } from '../../core/manifest';
import { exportRangesPlannedSignal, exportRangesQuery } from '../../workflows/messages';

export type RangeActivityPlan = ExportRangePlan;

const POLL_EVERY_MS = 500;

/**
 * The snapshot holder's side of ranges as activities (core/export-ranges.ts): tells its workflow
 * the snapshot and the ranges to read under it, then holds the snapshot open, heartbeating,
 * until the workflow reports every range of this snapshot finished. Returns each table's range
 * parts in range order.
 *
 * The leader is asked `select 1` on every poll: once its connection is gone the ranges can no
 * longer join the snapshot, so this attempt fails and its retry exports a new snapshot and a
 * new plan (the workflow then reads every range again under that one).
 */
export async function awaitRangeActivities(
  plan: RangeActivityPlan,
  holder: { readonly leader: pg.Client; readonly heartbeat: () => void },
): Promise<Map<string, ManifestPart[][]>> {
  const context = Context.current();
  const execution = context.info.workflowExecution;
  if (!execution) throw new Error('ranges as activities need the export workflow that runs them');
  const workflow = context.client.workflow.getHandle(execution.workflowId, execution.runId);
  await workflow.signal(exportRangesPlannedSignal, plan);
  for (;;) {
    const state = await workflow.query(exportRangesQuery);
    // The workflow runs the first plan it received for a snapshot (a retry in this worker may plan again under the same one).
    if (state.snapshotId === plan.snapshotId && state.ranges.length > 0 && state.ranges.every((r) => r.parts)) {
      const byTable = new Map<string, ManifestPart[][]>();
      for (const range of [...state.ranges].sort((a, b) => a.index - b.index)) byTable.set(range.table, [...(byTable.get(range.table) ?? []), [...range.parts!]]);
      return byTable;
    }
    await holder.leader.query('select 1');
    holder.heartbeat();
    await context.sleep(POLL_EVERY_MS);
  }
}
