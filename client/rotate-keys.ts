import { randomUUID } from 'node:crypto';
import { rotateKeysWorkflowId, type RotateKeysOutcome } from '../core/rotate-keys-input';
import type { RestorepointClient } from './connect';

/** Asks the worker to rotate the key-encryption key and re-wrap every data key (it checks `keys.rotate` on `*`), and waits for the outcome. */
export async function rotateKeys(client: RestorepointClient, request: { readonly requestedBy: string }): Promise<RotateKeysOutcome> {
  const rotationId = randomUUID();
  const handle = await client.temporal.workflow.start('rotateKeysWorkflow', {
    taskQueue: client.taskQueue,
    workflowId: rotateKeysWorkflowId(rotationId),
    args: [{ rotationId, requestedBy: request.requestedBy }, { credential: await client.credential(request.requestedBy) }],
  });
  return (await handle.result()) as RotateKeysOutcome;
}
