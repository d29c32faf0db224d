/**
 * Every signal, query and update of restorepoint's workflows. Handlers and clients import
 * these same constants, so a name can never drift between them.
 */
import { defineQuery } from '@temporalio/workflow';
import type { ExportProgress } from '../core/export-progress';

/**
 * The export's stage as its workflow knows it (starting, finished, failed). No signal carries
 * progress into the workflow: its history would grow with time. The running activity's
 * heartbeat details hold the per-table figures (activities/export/progress-reporter.ts).
 */
export const exportProgressQuery = defineQuery<ExportProgress>('exportProgress');
