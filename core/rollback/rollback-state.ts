import type { RestorePointSummary } from '../restore-points/restore-point-summary';
import type { RecordedDecision } from './approval-policy';
import type { RollbackPreview } from './rollback-preview';

/**
 * The rollback's states. Each stage moves only from the one before it; `compensating`
 * is entered only after live data changed, and ends in `compensated` or `failed`.
 */
export type RollbackStage =
  | 'preparing'
  | 'previewing'
  | 'awaiting-approval'
  | 'snapshotting'
  | 'applying'
  | 'validating'
  | 'compensating'
  | 'done'
  | 'rejected'
  | 'cancelled'
  | 'compensated'
  | 'failed';

export const FINAL_STAGES: readonly RollbackStage[] = ['done', 'rejected', 'cancelled', 'compensated', 'failed'];

/** Which stage may follow which: the workflow refuses any other move. */
export const NEXT_STAGES: Readonly<Record<RollbackStage, readonly RollbackStage[]>> = {
  preparing: ['previewing', 'failed', 'cancelled'],
  previewing: ['awaiting-approval', 'validating', 'failed', 'cancelled'],
  'awaiting-approval': ['snapshotting', 'rejected', 'cancelled', 'failed'],
  snapshotting: ['applying', 'failed', 'cancelled'],
  applying: ['validating', 'compensating', 'failed'],
  validating: ['done', 'compensating', 'failed'],
  compensating: ['compensated', 'failed'],
  done: [],
  rejected: [],
  cancelled: [],
  compensated: [],
  failed: [],
};

export interface ApplyProgress {
  readonly table: string | null;
  readonly rowsApplied: number;
  readonly rowsPlanned: number;
}

export interface ValidationReport {
  readonly differences: Readonly<Record<string, number>>;
  readonly orphans: Readonly<Record<string, number>>;
  readonly fingerprints: Readonly<Record<string, string>>;
  readonly ok: boolean;
}

/** A failure, typed: `code` is a catalogue code (`UNTYPED` only for an error nothing classified). */
export interface RollbackFailure {
  readonly code: string;
  readonly message: string;
}

/** What the `status` query answers. */
export interface RollbackStatus {
  readonly rollbackId: string;
  readonly stage: RollbackStage;
  readonly mode: 'in-place' | 'side-by-side';
  readonly source: string;
  /** The target in one line (`targetLabel`): an export id, `at <time>` or the revert's selection. */
  readonly targetExportId: string;
  /** A point-in-time target: the exports and trail range the time resolved to; null for other targets and until resolved. */
  readonly restorePoint: RestorePointSummary | null;
  /** Row predicates narrowing tables (input `where`, by table pattern): what approvers approve; the preview counts the keys they resolved to. */
  readonly where: Readonly<Record<string, string>>;
  readonly requestedBy: string;
  readonly reason: string;
  readonly preview: RollbackPreview | null;
  /** sha256 of the preview's canonical JSON: what an approval must name (absent from rollbacks started before identities). */
  readonly previewDigest?: string | null;
  readonly approvalsRequired: number;
  readonly decisions: readonly RecordedDecision[];
  readonly approvalDeadline: string | null;
  readonly safetyExportId: string | null;
  readonly progress: ApplyProgress;
  readonly validation: ValidationReport | null;
  /** Why it ended as it did, or null while running. */
  readonly outcome: string | null;
  /** When it failed: the error's catalogue code (core/errors.ts) and message, as in the ledger's `rollback.stage.failed`. */
  readonly failure: RollbackFailure | null;
  readonly history: readonly { readonly stage: RollbackStage; readonly at: string }[];
}
