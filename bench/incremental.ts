import { exportInputSchema } from '../core/export-input';
import type { Contender } from './contenders';

/** The changes the issue asks an incremental export to be timed after. */
export const INCREMENTAL_CHANGE_COUNTS = [1_000, 100_000] as const;

/** Whether exports take `mode: 'incremental'` yet (core/export-input.ts; the change-trail issue builds it). */
export function incrementalExportAvailable(): boolean {
  return 'mode' in exportInputSchema.shape;
}

/**
 * The hook for the incremental rows. Until exports take `mode: 'incremental'` the report
 * prints them as "pending". Once they do, each contender here should: track a copy of
 * BENCH_TABLE (trail `trackTables`), take a full export as the base (not timed), apply
 * `count` changes (updates of random ids, not timed), then time the delta export against
 * that base; the report compares it with `rp_export_folder` (target: 1k changes < 5%).
 */
export function incrementalContenders(): Contender[] {
  if (!incrementalExportAvailable()) return [];
  throw new Error('exports now take mode "incremental": wire its contenders in bench/incremental.ts');
}
