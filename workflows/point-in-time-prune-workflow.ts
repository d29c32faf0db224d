import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PruneTrailResult } from '../activities/point-in-time/prune';
import { pruneInputSchema, type PruneRequest } from '../core/restore-points';
import { dataActivity } from './activity-profiles';

const data = proxyActivities<Activities>(dataActivity);

/** Prunes a source's trail after verifying its archived copy (the activity writes the ledger). */
export async function pruneTrailWorkflow(request: PruneRequest): Promise<PruneTrailResult> {
  const parsed = pruneInputSchema.safeParse(request);
  if (!parsed.success) throw ApplicationFailure.nonRetryable(`invalid prune input: ${parsed.error.message}`, 'INPUT_INVALID');
  return data.pruneTrail(parsed.data);
}
