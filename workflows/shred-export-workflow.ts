import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { shredInputSchema, type ShredOutcome, type ShredRequest } from '../core/shred-input';
import { shortActivity } from './activity-profiles';
import { authorizeStart, type StartAuth } from './authorize-step';

const keys = proxyActivities<Activities>(shortActivity);

/**
 * `exports shred`: the caller must hold `export.shred` on the export's source, checked here in
 * the worker; the activity plans (dry run) or destroys the data key and writes the ledger entry.
 */
export async function shredExportWorkflow(request: ShredRequest, auth?: StartAuth): Promise<ShredOutcome> {
  const parsed = shredInputSchema.safeParse(request);
  if (!parsed.success) throw ApplicationFailure.nonRetryable(`invalid shred input: ${parsed.error.message}`, 'INPUT_INVALID');
  const caller = await authorizeStart(auth, { permission: 'export.shred', resource: parsed.data.source, subject: parsed.data.exportId });
  return keys.shredExport({ ...parsed.data, requestedBy: caller.subject });
}
