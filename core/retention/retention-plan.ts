import type { ExportSummary } from './export-summary';
import type { RetentionReason } from './retention-rules';
import type { StorageClass } from './storage-class';

/**
 * What to do with one export. `keep` means "leave it as it is this run"; `tier` keeps it and
 * moves its objects to a colder class; `delete` removes its objects, then its catalog row.
 */
export type RetentionAction =
  | { readonly kind: 'keep' }
  | { readonly kind: 'delete' }
  | { readonly kind: 'tier'; readonly from: StorageClass; readonly to: StorageClass };

/** One export of the plan, with the rule that decided it and every other rule that matched. */
export interface PlannedExport {
  readonly exportId: string;
  readonly source: string;
  readonly mode: ExportSummary['mode'];
  readonly status: ExportSummary['status'];
  readonly createdAt: string;
  readonly action: RetentionAction;
  /** The deciding rule: for `tier`, the tiering rule; otherwise the keep or delete rule of highest precedence. */
  readonly rule: RetentionReason;
  /** Other rules that matched, in precedence order; for `tier`, the keep rules that kept it. */
  readonly alsoMatched: readonly RetentionReason[];
}

/**
 * Something a person should look at; never changes a decision. `bad-row`: an export's catalog
 * row could not be read as a summary, so it and its chain are left alone this run;
 * `orphans-unreadable`: a destination could not be searched for scratch files.
 */
export interface RetentionWarning {
  readonly code: 'broken-chain' | 'no-verified-export' | 'bad-row' | 'orphans-unreadable';
  /** The export or source the warning is about. */
  readonly subject: string;
  readonly message: string;
}

/**
 * The outcome of `planRetention`: one entry per export that still exists (every status but
 * `deleted`), newest first within each source. Executing it is idempotent: deleting what is
 * already gone and tiering what is already there are no-ops.
 */
export interface RetentionPlan {
  /** The instant the plan was computed for, ISO 8601 UTC. */
  readonly now: string;
  readonly exports: readonly PlannedExport[];
  readonly warnings: readonly RetentionWarning[];
  readonly totals: { readonly keep: number; readonly delete: number; readonly tier: number; readonly alreadyDeleted: number };
  /** Scratch files of killed exports past the grace period, found by the planning activity (absent from pure plans). */
  readonly orphans?: readonly PlannedOrphan[];
}

/** One `.~tmp-*` file to remove: in which destination, its name there, size and last write. */
export interface PlannedOrphan {
  readonly destination: string;
  readonly name: string;
  readonly bytes: number;
  readonly modifiedAt: string;
}
