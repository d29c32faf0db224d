import type { JsonObject } from '../../catalog/ledger';
import type { TrailEntry, TrailOperation } from '../trail-entry';

/** Names one trail entry: `xid` and `seq` find it, `position` orders it. */
export interface EntryRef {
  readonly xid: string;
  readonly seq: number;
  readonly position: number | null;
}

/**
 * A trail entry with what inverting it needs beyond the entry itself, worked out by the loader
 * (load-history.ts) where exactness needs the database.
 */
export interface HistoryEntry {
  readonly entry: TrailEntry;
  /** The row's identity before the change (table and key), null for inserts and truncates. */
  readonly rowBefore: string | null;
  /** The row's identity after the change, null for deletes and truncates. */
  readonly rowAfter: string | null;
  /** For updates, the columns whose value changed; empty otherwise. */
  readonly changedColumns: readonly string[];
}

interface OperationBase {
  readonly schema: string;
  readonly table: string;
  /** The key of the row the operation acts on, for listing (statements read values from the trail). */
  readonly key: JsonObject | null;
  /** The entry this operation undoes; the rendered SQL reads row values from it. */
  readonly undoes: EntryRef;
}

/**
 * One step of undoing: delete what was inserted, insert what was deleted, set back what was
 * updated. `keyColumns` locate the row; `columns` are the columns written (generated ones left
 * out); an update's `guardColumns` are every column it changed, checked still to hold the value
 * the undone entry gave them.
 */
export type InverseOperation =
  | (OperationBase & { readonly kind: 'delete'; readonly keyColumns: readonly string[] })
  | (OperationBase & { readonly kind: 'insert'; readonly columns: readonly string[] })
  | (OperationBase & {
      readonly kind: 'update';
      readonly keyColumns: readonly string[];
      readonly columns: readonly string[];
      readonly guardColumns: readonly string[];
    });

export type ConflictReason = 'changed later' | 'truncated later' | 'cannot undo a truncate';

/**
 * Why undoing a selected entry would not restore what it replaced: the row was changed again by
 * an entry outside the selection (`laterEntry`), its table was truncated later, or the entry is
 * a truncate, whose rows the trail does not hold.
 */
export interface InverseConflict {
  readonly reason: ConflictReason;
  readonly entry: EntryRef & { readonly schema: string; readonly table: string; readonly key: JsonObject | null };
  readonly laterEntry: (EntryRef & { readonly op: TrailOperation; readonly actor: string; readonly at: string }) | null;
}

/**
 * How to undo a selection of trail entries: operations in the order to apply them (the reverse
 * of the changes), and the conflicts found. A plan with conflicts should be shown, not applied;
 * the rendered statements also refuse rows that no longer hold what the trail says.
 */
export interface InversePlan {
  readonly selected: number;
  readonly operations: readonly InverseOperation[];
  readonly conflicts: readonly InverseConflict[];
}
