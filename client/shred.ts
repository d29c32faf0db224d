import { randomUUID } from 'node:crypto';
import { getExport } from '../catalog/exports-repo';
import type { Knex } from 'knex';
import { RestorepointError } from '../core/errors';
import { shredInputSchema, shredWorkflowId, type ShredOutcome, type ShredRequest } from '../core/shred-input';
import type { RestorepointClient } from './connect';

/**
 * Asks the worker to crypto-shred an export (a dry run unless `confirm`) and waits for the
 * outcome. The source is read from the catalog; the worker checks the caller's `export.shred`
 * role on it and that it is the export's.
 */
export async function shredExport(client: RestorepointClient, catalog: Knex, request: Omit<ShredRequest, 'source'>): Promise<ShredOutcome> {
  const record = await getExport(catalog, request.exportId);
  if (!record) throw new RestorepointError('EXPORT_NOT_FOUND', `no export "${request.exportId}" in the catalog`, { exportId: request.exportId });
  const parsed = shredInputSchema.safeParse({ ...request, source: record.source });
  if (!parsed.success) throw new RestorepointError('INPUT_INVALID', `invalid shred options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const input = parsed.data;
  const handle = await client.temporal.workflow.start('shredExportWorkflow', {
    taskQueue: client.taskQueue,
    workflowId: shredWorkflowId(input.exportId, randomUUID().slice(0, 8)),
    args: [input, { credential: await client.credential(input.requestedBy) }],
  });
  return (await handle.result()) as ShredOutcome;
}
