import { ApplicationFailure, CancellationScope, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { restoreInputSchema, type RestoreRequest, type RestoreSummary } from '../core/restore-input';
import { dataActivity } from './activity-profiles';
import { authorizeStart, type StartAuth } from './authorize-step';
import { shortSteps } from './short-steps';

const data = proxyActivities<Activities>(dataActivity);

/**
 * Restores one export into a target. The activity does all the work in one transaction;
 * this records who asked and how it ended, in the audit ledger.
 */
export async function restoreWorkflow(request: RestoreRequest, auth?: StartAuth): Promise<RestoreSummary> {
  const parsed = restoreInputSchema.safeParse(request);
  if (!parsed.success) throw ApplicationFailure.nonRetryable(`invalid restore input: ${parsed.error.message}`, 'INPUT_INVALID');
  // Decided once, before the first command: authorize and the three ledger entries run one way.
  const ledger = shortSteps('restore-short-steps-local');
  // Restoring is granted per target: the role must be held on the database written to.
  const caller = await authorizeStart(auth, { permission: 'restore', resource: parsed.data.target, subject: parsed.data.exportId }, 'authorize-v1', ledger);
  const input = { ...parsed.data, requestedBy: caller.subject };
  const subject = input.exportId;
  const about = { restoreId: input.restoreId, target: input.target, targetSchema: input.targetSchema ?? null, tables: input.tables };
  // `once`: a local activity runs again when its worker dies before the workflow task records it; the entry stays single.
  await ledger.recordLedger({ actor: input.requestedBy, action: 'restore.started', subject, outcome: 'ok', details: about, once: true });
  try {
    const summary = await data.restoreExport(input);
    await ledger.recordLedger({ actor: input.requestedBy, action: 'restore.finished', subject, outcome: 'ok', details: { ...about, mode: summary.mode, rows: summary.rows, tables: summary.tables.length }, once: true });
    return summary;
  } catch (error) {
    await CancellationScope.nonCancellable(() =>
      ledger.recordLedger({ actor: input.requestedBy, action: 'restore.failed', subject, outcome: 'failed', details: { ...about, error: error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error) }, once: true }),
    );
    throw error;
  }
}
