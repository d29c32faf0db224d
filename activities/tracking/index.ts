import pg from 'pg';
import { trackTables, untrackTables } from '../../trail';
import type { TrackableTable } from '../../trail/resolve-targets';
import { resolveSource, type ActivityDeps } from '../deps';

/**
 * Starts or stops the change trail on tables of a source, for a caller the workflow has
 * authorized. Both are idempotent: tracking a tracked table installs the same triggers again,
 * untracking an untracked one drops nothing.
 */
export function createTrackingActivities(deps: ActivityDeps) {
  return {
    async changeTracking(request: { readonly source: string; readonly targets: readonly string[]; readonly change: 'track' | 'untrack' }): Promise<readonly TrackableTable[]> {
      const client = new pg.Client({ connectionString: resolveSource(deps.config, request.source).url, application_name: 'restorepoint' });
      await client.connect();
      try {
        return request.change === 'track' ? await trackTables(client, request.targets) : await untrackTables(client, request.targets);
      } finally {
        await client.end();
      }
    },
  };
}
