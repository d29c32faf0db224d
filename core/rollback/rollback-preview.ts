/**
 * What a rollback would do, computed against live data before anyone approves. The
 * workflow keeps only this summary (counts, no row values); the samples of before and
 * after values live in the catalog (`rollbacks.preview`), read by `rollback preview`.
 */
export interface TablePreview {
  readonly table: string;
  /**
   * When the table is narrowed (rollback input `keys` or `where`): the row predicate, if that
   * is how, and how many primary keys are in scope. A predicate was resolved to those keys
   * once, in prepare; every count here, and apply, validate and compensation, use the keys.
   */
  readonly narrowedTo?: { readonly where: string | null; readonly keys: number };
  /**
   * A table without a primary key, compared as a multiset: `inserts` are copies of rows to
   * add, `deletes` copies to remove, and `updates` is always 0 (an edited row is one of each).
   */
  readonly multiset?: true;
  readonly inserts: number;
  readonly updates: number;
  readonly deletes: number;
  /**
   * Rows of live data in scope the rollback would overwrite or delete that changed after the
   * restore point, by writing transaction; `actors` as the change trail recorded them, when
   * the table is tracked.
   */
  readonly changedSinceTarget: readonly { readonly xid: string; readonly rows: number; readonly actors?: readonly string[] }[];
}

/** Children that reference rows the rollback deletes. */
export interface ForeignKeyImpact {
  readonly constraint: string;
  readonly child: string;
  readonly parent: string;
  /** Child rows that go too (the child is in scope and its target state lacks them). */
  readonly removed: number;
  /** Child rows that would be left pointing at nothing: a conflict, apply would refuse. */
  readonly orphaned: number;
}

/** Rows the rollback would leave violating a constraint, e.g. restored children whose parent (outside the scope) is gone. */
export interface ConstraintConflict {
  readonly constraint: string;
  readonly table: string;
  readonly rows: number;
  readonly problem: string;
}

/**
 * A table outside the scope that a foreign-key action (ON DELETE or ON UPDATE CASCADE, SET
 * NULL, SET DEFAULT) reaches from it: rows of its target state that reference rows the cascade
 * could have taken (deleted, or their key changed) and are now missing (`removed`) or
 * different (`changed`) live. The rollback
 * leaves them as they are; `suggestion` says how to widen the scope. Counts are null when
 * the target export does not hold the table.
 */
export interface OutsideScopeImpact {
  readonly table: string;
  readonly removed: number | null;
  readonly changed: number | null;
  readonly via: readonly string[];
  readonly suggestion: string;
}

export interface RollbackPreview {
  readonly tables: readonly TablePreview[];
  readonly foreignKeys: readonly ForeignKeyImpact[];
  readonly constraintConflicts: readonly ConstraintConflict[];
  /** Tables outside the scope that cascades changed since the target (absent: not looked at, e.g. a revert). */
  readonly outsideScope?: readonly OutsideScopeImpact[];
  /** Per table, the live data in scope when previewed: apply refuses to run if it changed since. */
  readonly liveFingerprints: Readonly<Record<string, string>>;
  readonly totals: {
    readonly inserts: number;
    readonly updates: number;
    readonly deletes: number;
    readonly changedSinceTarget: number;
    readonly conflicts: number;
    /** Rows outside the scope removed or changed by cascades since the target (`outsideScope`). */
    readonly outsideScope?: number;
  };
}

/**
 * A row's columns as PostgreSQL prints them (`::text`, null as null): numeric(38,10), bigint
 * and timestamps exactly as stored, never through a float.
 */
export type SampleRow = Readonly<Record<string, unknown>>;

/**
 * A few rows per operation, with before (live) and after (target) values. Every sample names
 * its row by `key`: its primary key's columns, or for a table without one the whole row
 * (the row is its own key), with `copies` how many of it are added or removed.
 */
export interface PreviewSamples {
  readonly table: string;
  readonly inserts: readonly { readonly key?: SampleRow; readonly after: SampleRow; readonly copies?: number }[];
  readonly updates: readonly { readonly key?: SampleRow; readonly before: SampleRow; readonly after: SampleRow }[];
  readonly deletes: readonly { readonly key?: SampleRow; readonly before: SampleRow; readonly copies?: number }[];
}
