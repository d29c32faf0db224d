import type { ActivityDeps } from '../deps';
import { createExportDeltaActivity } from './export-delta';
import { createTrailPositionActivities } from './trail-position';

/** Activities of incremental exports: trail positions of full exports, and delta exports. */
export function createIncrementalActivities(deps: ActivityDeps) {
  return { ...createTrailPositionActivities(deps), exportDelta: createExportDeltaActivity(deps) };
}
