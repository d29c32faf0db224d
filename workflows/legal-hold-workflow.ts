import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { holdInputSchema, type HoldRequest, type HoldResult } from '../core/hold-input';
import { shortActivity } from './activity-profiles';
import { authorizeOnExport, type StartAuth } from './authorize-step';

const steps = proxyActivities<Activities>(shortActivity);

/**
 * Places or releases an export's legal hold for a verified caller holding `hold.add` /
 * `hold.remove` on the export's source. The change and its ledger entry (`hold.placed`,
 * `hold.released`) are one catalog transaction, recorded under the verified subject.
 */
export async function legalHoldWorkflow(request: HoldRequest, auth?: StartAuth): Promise<HoldResult> {
  const parsed = holdInputSchema.safeParse(request);
  if (!parsed.success) throw ApplicationFailure.nonRetryable(`invalid legal hold input: ${parsed.error.message}`, 'INPUT_INVALID');
  const input = parsed.data;
  const caller = await authorizeOnExport(auth, input.change === 'add' ? 'hold.add' : 'hold.remove', input.exportId, 'authorize-v1');
  return steps.changeLegalHold({ exportId: input.exportId, change: input.change, reason: input.reason, actor: caller.subject });
}
