import type { ExportRole } from '../export-input';

/**
 * An export as a link of a restore chain: what point-in-time planning needs from the catalog,
 * as plain data. Pure module (workflows import it).
 */

/** A place in a source's sealed change trail: an entry's position and chain hash. */
export interface TrailPoint {
  readonly position: number;
  readonly hash: string;
}

export interface ChainLink {
  readonly exportId: string;
  readonly mode: 'full' | 'incremental';
  readonly status: string;
  /** From verification: a corrupt export is never part of a restore chain. */
  readonly verificationStatus?: 'unverified' | 'verified' | 'corrupt';
  readonly source: string;
  readonly destination: string;
  /** Incremental: the export it follows. */
  readonly parentExportId: string | null;
  /** Incremental: the full export its chain starts from. */
  readonly baseExportId: string | null;
  /** Incremental: it holds the entries after this point. Null for full exports. */
  readonly trailFrom: TrailPoint | null;
  /**
   * Full: the sealed head just before its snapshot (null when the source had no trail).
   * Incremental: the last entry it holds.
   */
  readonly trailTo: TrailPoint | null;
  /** The moment its data reflects, ISO 8601; null when not recorded (older exports). */
  readonly asOf: string | null;
  /** Full: the snapshot it read (pg_current_snapshot text), which decides entries after `trailTo`. */
  readonly txidSnapshot: string | null;
  /** A rollback's safety snapshot is kept for undo only: never a chain base. */
  readonly role: ExportRole;
  /** Full: made with a table selection (`--tables`, `--exclude`), so it holds only some tables of its schemas. */
  readonly partial: boolean;
  /** A masked export (docs/masking.md): its rows are not the source's, so it is never a chain base. Absent: not masked. */
  readonly masked?: boolean;
  /** Full: the `schema.table` names it holds; null when the catalog has no record (older exports). */
  readonly tables: readonly string[] | null;
}

/** Whether `child` starts exactly where `parent` ends: same position and same chain hash. */
export function continues(parent: ChainLink, child: ChainLink): boolean {
  return parent.trailTo !== null && child.trailFrom !== null && parent.trailTo.position === child.trailFrom.position && parent.trailTo.hash === child.trailFrom.hash;
}
