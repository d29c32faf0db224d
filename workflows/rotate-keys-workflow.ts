import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { rotateKeysInputSchema, type RotateKeysOutcome, type RotateKeysRequest } from '../core/rotate-keys-input';
import { dataActivity } from './activity-profiles';
import { authorizeStart, type StartAuth } from './authorize-step';

// Re-wrapping touches every live data key: a data-movement profile, heartbeating per key.
const keys = proxyActivities<Activities>(dataActivity);

/**
 * `keys rotate`: the caller must hold `keys.rotate` (admin) on every source, `*`, checked here in
 * the worker, since a rotation re-wraps the data keys of all exports.
 */
export async function rotateKeysWorkflow(request: RotateKeysRequest, auth?: StartAuth): Promise<RotateKeysOutcome> {
  const parsed = rotateKeysInputSchema.safeParse(request);
  if (!parsed.success) throw ApplicationFailure.nonRetryable(`invalid key rotation input: ${parsed.error.message}`, 'INPUT_INVALID');
  const caller = await authorizeStart(auth, { permission: 'keys.rotate', resource: '*', subject: `keys:${parsed.data.rotationId}` });
  return keys.rotateKeys({ ...parsed.data, requestedBy: caller.subject });
}
