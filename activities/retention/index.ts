import type { ActivityDeps } from '../deps';
import { createApplyRetentionBatchActivity, createFinishRetentionRunActivity, createRemoveOrphansActivity } from './apply-retention-batch';
import type { WorkflowProbe } from './busy-exports';
import { createPlanRetentionRunActivity } from './plan-retention-run';
import { activityWorkflowProbe } from './workflow-probe';

/**
 * The activities of retention (docs/retention.md). `probe` answers "is this workflow still
 * running"; by default it asks Temporal through the worker's client.
 */
export function createRetentionActivities(deps: ActivityDeps, probe: () => WorkflowProbe = activityWorkflowProbe) {
  return {
    planRetentionRun: createPlanRetentionRunActivity(deps, probe),
    applyRetentionBatch: createApplyRetentionBatchActivity(deps, probe),
    finishRetentionRun: createFinishRetentionRunActivity(deps),
    removePlannedOrphans: createRemoveOrphansActivity(deps),
  };
}
