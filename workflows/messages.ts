/**
 * Every signal, query and update of restorepoint's workflows. Handlers and clients import
 * these same constants, so a name can never drift between them.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ExportProgress } from '../core/export-progress';

/** Sent by the export activity every few seconds; advisory only. */
export const exportProgressSignal = defineSignal<[ExportProgress]>('exportProgress');
export const exportProgressQuery = defineQuery<ExportProgress>('exportProgress');
