import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ApplyResult, PreparedScope } from '../activities/rollback';
import type { RollbackInput } from '../core/rollback/rollback-input';
import type { RollbackPreview } from '../core/rollback/rollback-preview';
import type { ValidationReport } from '../core/rollback/rollback-state';
import { dataActivity } from './activity-profiles';

const data = proxyActivities<Activities>(dataActivity);

/** What differs between going back to an export and reverting trail entries: the rest of the machine is shared. */
export interface TargetStages {
  prepare(): Promise<PreparedScope>;
  preview(scope: PreparedScope): Promise<RollbackPreview>;
  apply(scope: PreparedScope, preview: RollbackPreview): Promise<ApplyResult>;
  validate(scope: PreparedScope): Promise<ValidationReport>;
}

export function targetStages(input: RollbackInput, stagingSchema: string): TargetStages {
  const { rollbackId, source } = input;
  const target = input.target;
  if ('exportId' in target) {
    return {
      prepare: () => data.prepareRollback({ rollbackId, source, exportId: target.exportId, tables: input.tables, keys: input.keys, stagingSchema, requestedBy: input.requestedBy }),
      preview: (scope) => data.previewRollback({ rollbackId, source, stagingSchema, tables: scope.tables, targetSnapshot: scope.targetSnapshot }),
      apply: (scope, preview) => data.applyRollback({ rollbackId, source, stagingSchema, tables: scope.tables, sequences: scope.sequences, expectedLive: preview.liveFingerprints, batchRows: input.batchRows, lockTimeoutSeconds: input.lockTimeoutSeconds }),
      validate: (scope) => data.validateRollback({ rollbackId, source, stagingSchema, tables: scope.tables, compareLive: input.mode === 'in-place' }),
    };
  }
  // A targeted revert plans from the trail; its preview comes with the plan, whose digest apply holds it to.
  let planned: { preview: RollbackPreview; planDigest: string } | null = null;
  return {
    async prepare() {
      const revert = await data.prepareRevert({ rollbackId, source, selection: target.trail });
      planned = { preview: revert.preview, planDigest: revert.planDigest };
      return { tables: revert.tables, sequences: [], targetSnapshot: '', destination: input.snapshotDestination!, stagedRows: revert.selected };
    },
    preview: async () => planned!.preview,
    apply: (scope) => data.applyRevert({ rollbackId, source, selection: target.trail, planDigest: planned!.planDigest, tables: scope.tables, lockTimeoutSeconds: input.lockTimeoutSeconds }),
    validate: (scope) => data.validateRevert({ rollbackId, source, tables: scope.tables }),
  };
}
