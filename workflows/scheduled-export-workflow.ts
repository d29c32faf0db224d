import { ApplicationFailure, executeChild, uuid4 } from '@temporalio/workflow';
import { exportWorkflowId, exportIdSchema, type ExportRequest } from '../core/export-input';
import { authorizeStart, delegateTo, type StartAuth } from './authorize-step';
import { exportWorkflow, type ExportSummary } from './export-workflow';

/**
 * scheduledExportWorkflow's input: an export request without its id. A Temporal Schedule
 * stores it (`restorepoint schedule export`) and starts this workflow BY NAME with it; each run
 * needs an export id of its own, which a schedule's fixed arguments cannot give.
 */
export interface ScheduledExportInput {
  readonly export: Omit<ExportRequest, 'exportId'>;
}

/**
 * One scheduled export: names it `<source>-<UTC time>-<random>` (like `restorepoint export`)
 * and runs exportWorkflow as a child under the usual `export-<id>` workflow id, so the export
 * shows up, and is watched and handled, like any other. The schedule's overlap SKIP holds
 * because this workflow lasts as long as its export.
 */
export async function scheduledExportWorkflow(input: ScheduledExportInput, auth?: StartAuth): Promise<ExportSummary> {
  const source = input?.export?.source;
  if (typeof source !== 'string' || source === '') throw ApplicationFailure.nonRetryable('scheduled export input names no source', 'INPUT_INVALID');
  // Workflow time and uuid4 are replay-safe: a replay computes the same id.
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const exportId = `${source}-${stamp}-${uuid4().slice(0, 8)}`;
  if (!exportIdSchema.safeParse(exportId).success) throw ApplicationFailure.nonRetryable(`source "${source}" makes an invalid export id ${exportId}`, 'INPUT_INVALID');
  // The schedule runs as its service identity (the token stored, encrypted, with the schedule); the export acts for it.
  const caller = await authorizeStart(auth, { permission: 'export', resource: source, subject: exportId });
  await delegateTo(exportWorkflowId(exportId), caller, 'export', source);
  return executeChild(exportWorkflow, { workflowId: exportWorkflowId(exportId), args: [{ ...input.export, exportId }] });
}
