import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { PruneTrailResult } from '../activities/point-in-time/prune';
import { RestorepointError } from '../core/errors';
import { pruneInputSchema, reconstructInputSchema, reconstructWorkflowId, type PruneRequest, type ReconstructRequest, type ReconstructSummary } from '../core/restore-points';
import type { RestorepointClient } from './connect';

export type StartReconstructOptions = Omit<ReconstructRequest, 'reconstructionId'> & { readonly reconstructionId?: string };

const invalid = (what: string, issues: readonly { path: PropertyKey[]; message: string }[]) =>
  new RestorepointError('INPUT_INVALID', `invalid ${what}: ${issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);

/** Starts a point-in-time reconstruction; starting the same id again attaches to it. */
export async function startReconstruct(client: RestorepointClient, options: StartReconstructOptions): Promise<{ reconstructionId: string; result(): Promise<ReconstructSummary> }> {
  const parsed = reconstructInputSchema.safeParse({ ...options, reconstructionId: options.reconstructionId ?? `${options.source}-at-${randomUUID().slice(0, 8)}` });
  if (!parsed.success) throw invalid('reconstruct options', parsed.error.issues);
  const input = parsed.data;
  const workflowId = reconstructWorkflowId(input.reconstructionId);
  try {
    await client.temporal.workflow.start('reconstructWorkflow', { taskQueue: client.taskQueue, workflowId, args: [input, { credential: await client.credential(input.requestedBy) }], workflowIdReusePolicy: 'REJECT_DUPLICATE' });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
  return { reconstructionId: input.reconstructionId, result: () => client.temporal.workflow.getHandle(workflowId).result() as Promise<ReconstructSummary> };
}

/** Prunes a source's trail after verifying its archive (or only plans it with `dryRun`), and waits. */
export async function pruneTrail(client: RestorepointClient, options: PruneRequest): Promise<PruneTrailResult> {
  const parsed = pruneInputSchema.safeParse(options);
  if (!parsed.success) throw invalid('prune options', parsed.error.issues);
  return client.temporal.workflow.execute('pruneTrailWorkflow', { taskQueue: client.taskQueue, workflowId: `prune-trail-${parsed.data.source}-${randomUUID().slice(0, 8)}`, args: [parsed.data, { credential: await client.credential(parsed.data.requestedBy) }] }) as Promise<PruneTrailResult>;
}
