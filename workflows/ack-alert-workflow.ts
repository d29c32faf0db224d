import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { ackAlertInputSchema, type AckAlertRequest } from '../core/alerts/alert';
import { shortActivity } from './activity-profiles';
import { authorizeStart, type StartAuth } from './authorize-step';

const catalog = proxyActivities<Activities>(shortActivity);

/**
 * `restorepoint alerts ack`: the caller must hold `alert.ack` on the alert's source (checked
 * here, in the worker); the acknowledgement names the verified subject, in the catalog and the
 * ledger. An acknowledged alert stays listed until it is cleared or forgotten, and detection
 * never raises the same changes again.
 */
export async function ackAlertWorkflow(request: AckAlertRequest, auth?: StartAuth): Promise<{ readonly changed: boolean; readonly alertId: string; readonly status: string; readonly ackedBy: string | null }> {
  const parsed = ackAlertInputSchema.safeParse(request);
  if (!parsed.success) throw ApplicationFailure.nonRetryable(`invalid alert acknowledgement: ${parsed.error.message}`, 'INPUT_INVALID');
  const caller = await authorizeStart(auth, { permission: 'alert.ack', resource: parsed.data.source, subject: parsed.data.alertId });
  return catalog.ackAlert({ ...parsed.data, actor: caller.subject });
}
