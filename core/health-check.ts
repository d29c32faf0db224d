import { z } from 'zod';
import { destinationSchema } from './export-input';
import type { RecoveryFeatures } from './rollback/recovery-features';

/** Input of `healthCheckWorkflow`: where to probe, and who asked (for the ledger). */
export const healthCheckInputSchema = z.object({
  destination: destinationSchema,
  requestedBy: z.string().min(1).default('restorepoint'),
});
export type HealthCheckRequest = z.input<typeof healthCheckInputSchema>;

/** What the storage probe proved: one object written, read back identical, deleted. */
export interface StorageProbe {
  readonly destination: string;
  readonly key: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly roundTripMs: number;
}

export interface HealthCheckResult {
  readonly storage: StorageProbe;
  /** Sequence numbers of the ledger entries the check wrote (started, finished). */
  readonly ledgerSeqs: readonly number[];
  /** The worker's configured sources and the recovery flows each allows (absent from workers that predate it). */
  readonly sources?: Readonly<Record<string, RecoveryFeatures>>;
}
