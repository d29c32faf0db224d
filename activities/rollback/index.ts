import type { ActivityDeps } from '../deps';
import { createApplyActivity } from './apply-rollback';
import { createPrepareActivity } from './prepare-rollback';
import { createPreviewActivity } from './preview-rollback';
import { createRevertActivities } from './revert-trail';
import { createRollbackStepActivities } from './rollback-steps';
import { createDropStagingActivity, createValidateActivity } from './validate-rollback';

/** The rollback workflow's activities: prepare, preview, apply, validate, clean up, and its ledger steps. */
export function createRollbackActivities(deps: ActivityDeps) {
  return {
    ...createRollbackStepActivities(deps),
    ...createRevertActivities(deps),
    prepareRollback: createPrepareActivity(deps),
    previewRollback: createPreviewActivity(deps),
    applyRollback: createApplyActivity(deps),
    validateRollback: createValidateActivity(deps),
    dropStaging: createDropStagingActivity(deps),
  };
}

export type { ApplyRequest, ApplyResult } from './apply-rollback';
export type { PreparedScope, PrepareRequest } from './prepare-rollback';
export type { PreparedRevert } from './revert-trail';
export type { ScopeTable } from './scope-table';
