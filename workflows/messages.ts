/**
 * Every signal, query and update of restorepoint's workflows. Handlers and clients import
 * these same constants, so a name can never drift between them.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ExportProgress } from '../core/export-progress';
import type { ExportRangePlan, ExportRangesState } from '../core/export-ranges';

/**
 * The export's stage as its workflow knows it (starting, finished, failed). No signal carries
 * progress into the workflow: its history would grow with time. The running activity's
 * heartbeat details hold the per-table figures (activities/export/progress-reporter.ts).
 */
export const exportProgressQuery = defineQuery<ExportProgress>('exportProgress');

/** The export's snapshot holder: here are my snapshot and the ranges to read under it (core/export-ranges.ts). */
export const exportRangesPlannedSignal = defineSignal<[ExportRangePlan]>('exportRangesPlanned');

/** Which ranges of the running plan are finished, with their parts: the snapshot holder polls this. */
export const exportRangesQuery = defineQuery<ExportRangesState>('exportRanges');
