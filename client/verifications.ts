import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { RestorepointError } from '../core/errors';
import { verificationWorkflowId, verifyExportInputSchema, type VerifyExportRequest } from '../core/verification/verification-input';
import type { VerificationReport } from '../core/verification/verification-report';
import type { RestorepointClient } from './connect';
import { assertExportKnown } from './known-export';

export type StartVerificationOptions = Omit<VerifyExportRequest, 'runId'> & { readonly runId?: string };

/**
 * Starts verifyExportWorkflow and returns the run id and a way to wait for its report. The
 * report is data: a corrupt export resolves with status `failed`, it does not reject.
 */
export async function startVerification(client: RestorepointClient, options: StartVerificationOptions): Promise<{ runId: string; result(): Promise<VerificationReport> }> {
  const parsed = verifyExportInputSchema.safeParse({ ...options, runId: options.runId ?? `${options.exportId.slice(0, 100)}.${randomUUID().slice(0, 8)}` });
  if (!parsed.success) throw new RestorepointError('INPUT_INVALID', `invalid verification options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const input = parsed.data;
  const workflowId = verificationWorkflowId(input.runId);
  await assertExportKnown(client.config, input.exportId, 'the export to verify');
  try {
    await client.temporal.workflow.start('verifyExportWorkflow', { taskQueue: client.taskQueue, workflowId, args: [input, { credential: await client.credential(input.requestedBy) }] });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
  return { runId: input.runId, result: () => client.temporal.workflow.getHandle(workflowId).result() as Promise<VerificationReport> };
}
