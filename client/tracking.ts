import { randomUUID } from 'node:crypto';
import { RestorepointError } from '../core/errors';
import { trackInputSchema, type TrackRequest } from '../core/track-input';
import type { TrackableTable } from '../trail/resolve-targets';
import type { RestorepointClient } from './connect';

/** Starts (`track`) or stops (`untrack`) the change trail on tables of a source through the worker, which authorizes the caller; waits. */
export async function changeTracking(client: RestorepointClient, request: TrackRequest): Promise<readonly TrackableTable[]> {
  const parsed = trackInputSchema.safeParse(request);
  if (!parsed.success) throw new RestorepointError('INPUT_INVALID', `invalid ${request.change}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const input = parsed.data;
  return client.temporal.workflow.execute('trackWorkflow', {
    taskQueue: client.taskQueue,
    workflowId: `${input.change}-${input.source}-${randomUUID().slice(0, 8)}`,
    args: [input, { credential: await client.credential(input.requestedBy) }],
  }) as Promise<readonly TrackableTable[]>;
}
