import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { getRetentionRun, type RetentionRunRecord } from '../catalog/retention-runs-repo';
import { RestorepointError } from '../core/errors';
import { retentionRunInputSchema, type RetentionRunRequest, type RetentionRunSummary } from '../core/retention-run-input';
import type { RestorepointClient } from './connect';

/** A retention run's workflow id: `retention-<UTC time>-<random>`, sortable and readable. */
export function retentionWorkflowId(now = new Date()): string {
  return `retention-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomUUID().slice(0, 8)}`;
}

/** Runs retentionWorkflow (a dry run with `dryRun: true`) and waits for its summary. */
export async function runRetention(client: RestorepointClient, request: RetentionRunRequest): Promise<RetentionRunSummary> {
  const parsed = retentionRunInputSchema.safeParse(request);
  if (!parsed.success) {
    throw new RestorepointError('INPUT_INVALID', `invalid retention options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return client.temporal.workflow.execute('retentionWorkflow', { taskQueue: client.taskQueue, workflowId: retentionWorkflowId(), args: [parsed.data, { credential: await client.credential(parsed.data.requestedBy) }] }) as Promise<RetentionRunSummary>;
}

/** The stored run with its plan, for showing it (`formatPlan`) or as JSON. */
export async function readRetentionRun(db: Knex, planId: string): Promise<RetentionRunRecord> {
  const run = await getRetentionRun(db, planId);
  if (!run) throw new RestorepointError('INPUT_INVALID', `no retention run "${planId}" in the catalog`, { planId });
  return run;
}
