import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { RestorepointError } from '../core/errors';
import { restoreInputSchema, restoreWorkflowId, type RestoreRequest, type RestoreSummary } from '../core/restore-input';
import type { RestorepointClient } from './connect';
import { assertExportKnown } from './known-export';

export type StartRestoreOptions = Omit<RestoreRequest, 'restoreId'> & { readonly restoreId?: string };

/** Starts a restore and returns its id and a way to wait for the summary. */
export async function startRestore(client: RestorepointClient, options: StartRestoreOptions): Promise<{ restoreId: string; result(): Promise<RestoreSummary> }> {
  const parsed = restoreInputSchema.safeParse({ ...options, restoreId: options.restoreId ?? `${options.exportId}-${randomUUID().slice(0, 8)}` });
  if (!parsed.success) throw new RestorepointError('INPUT_INVALID', `invalid restore options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const input = parsed.data;
  const workflowId = restoreWorkflowId(input.restoreId);
  await assertExportKnown(client.config, input.exportId, 'the export to restore');
  try {
    await client.temporal.workflow.start('restoreWorkflow', { taskQueue: client.taskQueue, workflowId, args: [input, { credential: await client.credential(input.requestedBy) }], workflowIdReusePolicy: 'REJECT_DUPLICATE' });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
  return { restoreId: input.restoreId, result: () => client.temporal.workflow.getHandle(workflowId).result() as Promise<RestoreSummary> };
}
