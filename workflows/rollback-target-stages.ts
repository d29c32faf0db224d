import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ApplyResult, PreparedScope } from '../activities/rollback';
import { summarizeRestorePlan, type RestorePlan, type RestorePointSummary } from '../core/restore-points';
import type { RollbackInput } from '../core/rollback/rollback-input';
import type { RollbackPreview } from '../core/rollback/rollback-preview';
import type { ValidationReport } from '../core/rollback/rollback-state';
import { dataActivity, shortActivity } from './activity-profiles';

const short = proxyActivities<Activities>(shortActivity);
const data = proxyActivities<Activities>(dataActivity);

/** What differs between going back to an export, to a point in time and reverting trail entries: the rest of the machine is shared. */
export interface TargetStages {
  /** A point in time: the restore chain it resolves to (before anything is staged); null for other targets. */
  resolve(): Promise<RestorePointSummary | null>;
  prepare(): Promise<PreparedScope>;
  preview(scope: PreparedScope): Promise<RollbackPreview>;
  apply(scope: PreparedScope, preview: RollbackPreview): Promise<ApplyResult>;
  validate(scope: PreparedScope): Promise<ValidationReport>;
}

export function targetStages(input: RollbackInput, stagingSchema: string): TargetStages {
  const { rollbackId, source } = input;
  const target = input.target;
  // Both staged targets load an export into the staging schema (a point in time then replays its chain onto it).
  const staged = (stage: () => { exportId: string; restorePoint?: RestorePlan }): Omit<TargetStages, 'resolve'> => ({
    prepare: () => data.prepareRollback({ rollbackId, source, ...stage(), tables: input.tables, keys: input.keys, where: input.where, stagingSchema, requestedBy: input.requestedBy, probeSnapshot: input.mode === 'in-place' }),
    preview: (scope) => data.previewRollback({ rollbackId, source, stagingSchema, tables: scope.tables, targetSnapshot: scope.targetSnapshot, outside: scope.outside }),
    apply: (scope, preview) => data.applyRollback({ rollbackId, source, stagingSchema, tables: scope.tables, sequences: scope.sequences, expectedLive: preview.liveFingerprints, batchRows: input.batchRows, lockTimeoutSeconds: input.lockTimeoutSeconds, actor: input.requestedBy }),
    validate: (scope) => data.validateRollback({ rollbackId, source, stagingSchema, tables: scope.tables, compareLive: input.mode === 'in-place' }),
  });
  if ('exportId' in target) return { resolve: async () => null, ...staged(() => ({ exportId: target.exportId })) };
  if ('at' in target) {
    // Resolved once, from the catalog; the plan (ids, positions, no rows) stays in history for prepare.
    let plan: RestorePlan | null = null;
    return {
      async resolve() {
        plan = await short.planReconstruction({ source, at: target.at, tables: input.tables });
        return summarizeRestorePlan(plan);
      },
      ...staged(() => ({ exportId: plan!.base.exportId, restorePoint: plan! })),
    };
  }
  // A targeted revert plans from the trail; its preview comes with the plan, whose digest apply holds it to.
  let planned: { preview: RollbackPreview; planDigest: string } | null = null;
  return {
    resolve: async () => null,
    async prepare() {
      const revert = await data.prepareRevert({ rollbackId, source, selection: target.trail });
      planned = { preview: revert.preview, planDigest: revert.planDigest };
      return { tables: revert.tables, sequences: [], targetSnapshot: '', destination: input.snapshotDestination!, stagedRows: revert.selected };
    },
    preview: async () => planned!.preview,
    apply: (scope) => data.applyRevert({ rollbackId, source, selection: target.trail, planDigest: planned!.planDigest, tables: scope.tables, lockTimeoutSeconds: input.lockTimeoutSeconds, actor: input.requestedBy }),
    validate: (scope) => data.validateRevert({ rollbackId, source, tables: scope.tables }),
  };
}
