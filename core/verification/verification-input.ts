import { z } from 'zod';
import { exportIdSchema } from '../export-input';
import { verificationLevelSchema } from './verification-level';

const runIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/);

/**
 * Most bytes read back from the store per second, across the run's parallel reads (unset:
 * as fast as the store answers). A verification of a large archive in production should
 * not take the egress an export or a restore needs at the same time.
 */
const maxReadRateSchema = z.number().int().min(1024).optional();

/** One verification of one export (verifyExportWorkflow's input). */
export const verifyExportInputSchema = z.object({
  runId: runIdSchema,
  exportId: exportIdSchema,
  level: verificationLevelSchema,
  /**
   * Skip objects verified before at this level or deeper and unchanged since (same size,
   * generation and checksum metadata in the store). Never applies to the restore level,
   * which loads every row anyway.
   */
  incremental: z.boolean().default(true),
  requestedBy: z.string().min(1).default('unknown'),
  maxBytesPerSecond: maxReadRateSchema,
});
export type VerifyExportInput = z.infer<typeof verifyExportInputSchema>;
export type VerifyExportRequest = z.input<typeof verifyExportInputSchema>;

export function verificationWorkflowId(runId: string): string {
  return `verify-${runId}`;
}

/**
 * scheduledVerificationWorkflow's input. This is a contract with the Temporal Schedule that
 * starts the workflow by name (`restorepoint schedule verify`): add only optional fields.
 */
export const scheduledVerificationInputSchema = z.object({
  level: verificationLevelSchema,
  /** How many already-verified exports to re-read in full, least recently verified first. */
  sampleOlder: z.number().int().min(0).max(1000).default(2),
  requestedBy: z.string().min(1).default('schedule'),
  /** Passed to each verification the run starts. */
  maxBytesPerSecond: maxReadRateSchema,
});
export type ScheduledVerificationInput = z.infer<typeof scheduledVerificationInputSchema>;
export type ScheduledVerificationRequest = z.input<typeof scheduledVerificationInputSchema>;
