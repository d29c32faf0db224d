import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PruneTrailResult } from '../activities/point-in-time/prune';
import { pruneInputSchema, type PruneRequest } from '../core/restore-points';
import { dataActivity } from './activity-profiles';
import { authorizeStart, type StartAuth } from './authorize-step';

const data = proxyActivities<Activities>(dataActivity);

/** Prunes a source's trail after verifying its archived copy (the activity writes the ledger). */
export async function pruneTrailWorkflow(request: PruneRequest, auth?: StartAuth): Promise<PruneTrailResult> {
  const parsed = pruneInputSchema.safeParse(request);
  if (!parsed.success) throw ApplicationFailure.nonRetryable(`invalid prune input: ${parsed.error.message}`, 'INPUT_INVALID');
  const caller = await authorizeStart(auth, { permission: 'trail.prune', resource: parsed.data.source, subject: parsed.data.source });
  return data.pruneTrail({ ...parsed.data, requestedBy: caller.subject });
}
