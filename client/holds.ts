import { randomUUID } from 'node:crypto';
import { RestorepointError } from '../core/errors';
import { holdInputSchema, holdWorkflowId, type HoldRequest, type HoldResult } from '../core/hold-input';
import type { RestorepointClient } from './connect';

/** Places (`add`) or releases (`remove`) an export's legal hold through the worker, which authorizes the caller; waits. */
export async function changeHold(client: RestorepointClient, request: HoldRequest): Promise<HoldResult> {
  const parsed = holdInputSchema.safeParse(request);
  if (!parsed.success) throw new RestorepointError('INPUT_INVALID', `invalid legal hold: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const input = parsed.data;
  return client.temporal.workflow.execute('legalHoldWorkflow', {
    taskQueue: client.taskQueue,
    workflowId: holdWorkflowId(input.exportId, input.change, randomUUID().slice(0, 8)),
    args: [input, { credential: await client.credential(input.requestedBy) }],
  }) as Promise<HoldResult>;
}
