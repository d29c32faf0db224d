import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { RestorepointError } from '../core/errors';
import { EMPTY_PROGRESS, type ExportProgress } from '../core/export-progress';
import { exportInputSchema, exportWorkflowId, type ExportRequest } from '../core/export-input';
import { exportProgressQuery } from '../workflows/messages';
import type { ExportSummary } from '../workflows/export-workflow';
import type { RestorepointClient } from './connect';

export interface ExportHandle {
  readonly exportId: string;
  readonly workflowId: string;
  /** The latest progress the export reported (tables, rows, bytes). */
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
 * Starts an export (validated here, before anything is sent). Starting an id that already
 * runs or ran returns a handle to that export instead of a second run.
 */
export async function startExport(client: RestorepointClient, options: StartExportOptions): Promise<ExportHandle> {
  const parsed = exportInputSchema.safeParse({ ...options, exportId: options.exportId ?? newExportId(options.source) });
  if (!parsed.success) {
    throw new RestorepointError('INPUT_INVALID', `invalid export options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const input = parsed.data;
  const workflowId = exportWorkflowId(input.exportId);
  try {
    // A closed run (finished or failed) is never started again: the handle answers with its outcome.
    await client.temporal.workflow.start('exportWorkflow', { taskQueue: client.taskQueue, workflowId, args: [input, { credential: await client.credential(input.requestedBy) }], workflowIdReusePolicy: 'REJECT_DUPLICATE' });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
  return exportHandle(client, input.exportId);
}

export function exportHandle(client: RestorepointClient, exportId: string): ExportHandle {
  const workflowId = exportWorkflowId(exportId);
  const handle = client.temporal.workflow.getHandle(workflowId);
  return {
    exportId,
    workflowId,
    progress: async () => (await handle.query(exportProgressQuery).catch(() => EMPTY_PROGRESS)) ?? EMPTY_PROGRESS,
    result: () => handle.result() as Promise<ExportSummary>,
  };
}
