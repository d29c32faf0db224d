import type { ActivityDeps } from '../deps';
import { createApplyChangesActivity } from './apply-changes';
import { createPruneActivities } from './prune';
import { resolveRestorePoint } from './resolve-restore-point';

/** Activities of point-in-time reconstruction and of archiving and pruning the trail. */
export function createPointInTimeActivities(deps: ActivityDeps) {
  return {
    /** The restore chain for `at` whose base holds `tables` (patterns; none: every table); plain data, safe for workflow history. */
    async planReconstruction(input: { readonly source: string; readonly at: string; readonly tables?: readonly string[] }) {
      return resolveRestorePoint(deps.catalog, input.source, input.at, input.tables ?? []);
    },
    applyChanges: createApplyChangesActivity(deps),
    ...createPruneActivities(deps),
  };
}

export { resolveRestorePoint } from './resolve-restore-point';
