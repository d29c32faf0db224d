import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { checkExportScope } from '../activities/export/check-scope';
import { assertExportKnown } from './known-export';
import { RestorepointError } from '../core/errors';
import { EMPTY_PROGRESS, type ExportProgress } from '../core/export-progress';
import { readDestination } from '../core/destination';
import { exportInputSchema, exportWorkflowId, type ExportInput, type ExportRequest } from '../core/export-input';
import { exportProgressQuery } from '../workflows/messages';
import type { ExportSummary } from '../workflows/export-workflow';
import type { RestorepointClient } from './connect';
import { decodePayload } from './decode-payload';
import { pendingHeartbeatDetails } from './heartbeat-details';

export interface ExportHandle {
  readonly exportId: string;
  readonly workflowId: string;
  /** Whether a workflow with this export's id ran or runs. */
  exists(): Promise<boolean>;
  /**
   * The latest progress: per table while the data activity runs (its last heartbeat's
   * details, at most a few seconds old), the workflow's stage and totals before and after.
   */
  progress(): Promise<ExportProgress>;
  /** Waits for the export to finish; rejects with the failure when it fails. */
  result(): Promise<ExportSummary>;
}

/** Options of `startExport`: the export input, with the id optional (generated when absent). */
export type StartExportOptions = Omit<ExportRequest, 'exportId'> & { readonly exportId?: string };

/** A sortable, readable export id: `<source>-<UTC time>-<random>`. */
export function newExportId(source: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${source}-${stamp}-${randomUUID().slice(0, 8)}`;
}

/**
 * Starts an export (validated here, before anything is sent: a bad destination never reaches
 * a workflow, the catalog or the ledger). Starting an id that already runs or ran with the
 * same options returns a handle to that export instead of a second run; with other options it
 * is refused as ID_CONFLICT.
 *
 * A full export's scope is checked against its source first, with the client's configuration
 * (checkExportScope): an unknown source, a schema or table pattern that matches nothing, or an
 * object that cannot be exported is a typed error, and no workflow starts and the catalog
 * records nothing. An id that already ran is not checked again: its handle answers.
 */
export async function startExport(client: RestorepointClient, options: StartExportOptions): Promise<ExportHandle> {
  const parsed = exportInputSchema.safeParse({ ...options, exportId: options.exportId ?? newExportId(options.source) });
  if (!parsed.success) {
    throw new RestorepointError('INPUT_INVALID', `invalid export options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const input = parsed.data;
  const workflowId = exportWorkflowId(input.exportId);
  if (client.config && input.mode === 'full' && !(await exportStarted(client, workflowId))) await checkExportScope(client.config, input);
  if (input.parentExportId && !(await exportStarted(client, workflowId))) await assertExportKnown(client.config, input.parentExportId, 'the parent of an incremental export');
  try {
    // A closed run (finished or failed) is never started again: the handle answers with its outcome.
    await client.temporal.workflow.start('exportWorkflow', { taskQueue: client.taskQueue, workflowId, args: [input, { credential: await client.credential(input.requestedBy) }], workflowIdReusePolicy: 'REJECT_DUPLICATE' });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    const differing = differingOptions(input, await startedInput(client, workflowId));
    if (differing.length > 0) {
      throw new RestorepointError('ID_CONFLICT', `export id "${input.exportId}" is already used by an export started with other options (${differing.join(', ')} differ); choose another --id, or repeat its options to follow it`, { exportId: input.exportId, differing });
    }
  }
  return exportHandle(client, input.exportId);
}

/** The input the existing run of `workflowId` was started with (its first history event), or null when unreadable. */
async function startedInput(client: RestorepointClient, workflowId: string): Promise<unknown> {
  const { history } = await client.temporal.workflowService.getWorkflowExecutionHistory({ namespace: client.temporal.options.namespace, execution: { workflowId }, maximumPageSize: 1 });
  const payload = history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  return payload ? decodePayload<unknown>(client, payload) : null;
}

/**
 * The options in which two starts of one export id differ: everything but who asked, the
 * destination compared as read (a trailing slash is the same place). An input that no longer
 * parses differs in everything.
 */
function differingOptions(ours: ExportInput, theirs: unknown): string[] {
  const parsed = exportInputSchema.safeParse(theirs);
  if (!parsed.success) return ['all options'];
  const comparable = (input: ExportInput): Record<string, string> => {
    const { requestedBy: _requestedBy, tags: { requestedBy: _taggedBy, ...tags }, destination, ...rest } = input;
    const where = readDestination(destination);
    return Object.fromEntries(Object.entries({ ...rest, tags, destination: where.ok ? where.destination : destination }).map(([key, value]) => [key, JSON.stringify(value) ?? '']));
  };
  const a = comparable(ours);
  const b = comparable(parsed.data);
  // An option left out and one passed as undefined are the same (history's JSON drops the latter).
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((key) => (a[key] ?? '') !== (b[key] ?? ''));
}

/** Whether a workflow of this id ran or runs. */
async function exportStarted(client: RestorepointClient, workflowId: string): Promise<boolean> {
  try {
    await client.temporal.workflow.getHandle(workflowId).describe();
    return true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}

export function exportHandle(client: RestorepointClient, exportId: string): ExportHandle {
  const workflowId = exportWorkflowId(exportId);
  const handle = client.temporal.workflow.getHandle(workflowId);
  return {
    exportId,
    workflowId,
    exists: () => exportStarted(client, workflowId),
    progress: () => readProgress(client, handle),
    result: () => handle.result() as Promise<ExportSummary>,
  };
}

async function readProgress(client: RestorepointClient, handle: WorkflowHandle): Promise<ExportProgress> {
  const [stated, details] = await Promise.all([handle.query(exportProgressQuery).catch(() => undefined), pendingHeartbeatDetails(client, handle)]);
  if (stated && stated.stage !== 'starting') return stated;
  // The data activity's heartbeat: its checkpoint with the progress beside it (activities/export/progress-reporter.ts).
  const live = details.map((d) => (d as { progress?: ExportProgress } | null)?.progress).find((p) => typeof p?.stage === 'string');
  return live ?? stated ?? EMPTY_PROGRESS;
}
