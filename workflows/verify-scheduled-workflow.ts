import { ApplicationFailure, executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { scheduledVerificationInputSchema, verificationWorkflowId, type ScheduledVerificationRequest } from '../core/verification/verification-input';
import type { VerificationLevel } from '../core/verification/verification-level';
import { shortActivity } from './activity-profiles';
import { ifAuthorizePatched } from './authorize-patch';
import { authorizeStart, delegateTo, type StartAuth } from './authorize-step';
import { verifyExportWorkflow } from './verify-export-workflow';

const catalog = proxyActivities<Activities>(shortActivity);

/**
 * Due exports one run verifies at most; the rest (oldest change first) wait for the next run.
 * Each child adds events to this workflow's history, which must stay well inside its limit.
 */
export const MAX_DUE_PER_RUN = 200;

export interface ScheduledVerificationSummary {
  readonly level: VerificationLevel;
  /** Exports not verified at this level since they last changed (read incrementally). */
  readonly due: readonly string[];
  /** Due exports left for the next run (beyond MAX_DUE_PER_RUN). */
  readonly deferred: number;
  /** Older, already verified exports re-read in full. */
  readonly sample: readonly string[];
  readonly passed: readonly string[];
  /** Found corrupt: each raised its alert and is refused as a restore point. */
  readonly corrupt: readonly string[];
  /** Could not be verified this time (a fault outlasted its retries); retried next run. */
  readonly errored: readonly { readonly exportId: string; readonly message: string }[];
}

/**
 * Re-verification without a person, started by a Temporal Schedule BY THIS NAME with a
 * ScheduledVerificationInput (`restorepoint schedule verify`). Picks exports not verified
 * since their last change plus a sample of older ones, and verifies each in a child
 * workflow, one at a time so a run never loads the store or a scratch target with many.
 * Corruption is a finding, not a failure of this workflow.
 */
export async function scheduledVerificationWorkflow(request: ScheduledVerificationRequest, auth?: StartAuth): Promise<ScheduledVerificationSummary> {
  const parsed = scheduledVerificationInputSchema.safeParse(request);
  if (!parsed.success) throw ApplicationFailure.nonRetryable(`invalid scheduled verification input: ${parsed.error.message}`, 'INPUT_INVALID');
  // It picks among every source's exports, so its service identity needs `verify` on `*`; each child acts for it.
  const caller = await authorizeStart(auth, { permission: 'verify', resource: '*', subject: `schedule-run:${workflowInfo().workflowId}` }, 'authorize-v2');
  const input = { ...parsed.data, requestedBy: caller.subject };
  const pick = await catalog.pickExportsForVerification({ level: input.level, sampleOlder: input.sampleOlder });
  const due = pick.due.slice(0, MAX_DUE_PER_RUN);
  const runs = [...due.map((exportId) => ({ exportId, incremental: true })), ...pick.sample.map((exportId) => ({ exportId, incremental: false }))];
  const passed: string[] = [];
  const corrupt: string[] = [];
  const errored: { exportId: string; message: string }[] = [];
  for (const run of runs) {
    // Unique per scheduled run and export, and stable across a replay.
    const runId = `${run.exportId.slice(0, 80)}.${workflowInfo().runId}`;
    try {
      await ifAuthorizePatched('authorize-v2', () => delegateTo(verificationWorkflowId(runId), caller, 'verify', '*'), undefined);
      const report = await executeChild(verifyExportWorkflow, {
        workflowId: verificationWorkflowId(runId),
        args: [{ runId, exportId: run.exportId, level: input.level, incremental: run.incremental, requestedBy: input.requestedBy, ...(input.maxBytesPerSecond ? { maxBytesPerSecond: input.maxBytesPerSecond } : {}) }],
      });
      (report.status === 'passed' ? passed : corrupt).push(run.exportId);
    } catch (error) {
      errored.push({ exportId: run.exportId, message: error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error) });
    }
  }
  return { level: input.level, due, deferred: pick.due.length - due.length, sample: pick.sample, passed, corrupt, errored };
}
