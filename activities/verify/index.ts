import type { ActivityDeps } from '../deps';
import { createPickExportsActivity } from './pick-exports';
import { createVerificationLifecycleActivities } from './run-lifecycle';
import { createScratchCopyActivities } from './scratch-copy';
import { createVerifyObjectsActivity } from './verify-objects';

/** The activities of export verification (docs/verification.md). */
export function createVerifyActivities(deps: ActivityDeps) {
  return {
    ...createVerificationLifecycleActivities(deps),
    ...createScratchCopyActivities(deps),
    verifyExportObjects: createVerifyObjectsActivity(deps),
    pickExportsForVerification: createPickExportsActivity(deps),
  };
}
