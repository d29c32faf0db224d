import { ApplicationFailure, patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { healthCheckInputSchema, type HealthCheckRequest, type HealthCheckResult } from '../core/health-check';
import { shortActivity } from './activity-profiles';

const activities = proxyActivities<Activities>(shortActivity);

/**
 * The smallest end-to-end proof that a deployment works: the worker picks up a workflow,
 * writes the audit ledger in the catalog, and writes, reads back and deletes an object in
 * the store. `restorepoint doctor` runs it.
 */
export async function healthCheckWorkflow(request: HealthCheckRequest): Promise<HealthCheckResult> {
  const parsed = healthCheckInputSchema.safeParse(request);
  if (!parsed.success) throw ApplicationFailure.nonRetryable(`invalid health check input: ${parsed.error.message}`, 'INPUT_INVALID');
  const { destination, requestedBy } = parsed.data;
  const started = await activities.recordLedger({ actor: requestedBy, action: 'health.started', subject: destination, outcome: 'ok', details: {} });
  try {
    const storage = await activities.probeStorage(destination);
    const finished = await activities.recordLedger({ actor: requestedBy, action: 'health.finished', subject: destination, outcome: 'ok', details: { bytes: storage.bytes, sha256: storage.sha256 } });
    // Patched in: a check already past this point when the worker was upgraded replays without it.
    const sources = patched('health-check-reports-recovery-features') ? await activities.sourceRecoveryFeatures() : undefined;
    return { storage, ledgerSeqs: [started, finished], sources };
  } catch (error) {
    await activities.recordLedger({ actor: requestedBy, action: 'health.failed', subject: destination, outcome: 'failed', details: { error: error instanceof Error ? error.message : String(error) } });
    throw error;
  }
}
