import { z } from 'zod';
import { int8 } from '../catalog/int8';
import type { JsonObject } from '../catalog/ledger';
import { objectSchema } from '../catalog/ledger/ledger-entry';

export type TrailOperation = 'insert' | 'update' | 'delete' | 'truncate';

/** One recorded change, as read back from the trail. */
export interface TrailEntry {
  /** Capture order across all writers; has gaps where transactions rolled back. */
  readonly seq: number;
  /** The top-level transaction that made the change (xid8, as text). */
  readonly xid: string;
  /** Place in the sealed, commit-ordered chain: 1, 2, 3, ... without gaps; null until sealed. */
  readonly position: number | null;
  /** When the change was made (not committed), ISO 8601 UTC with microseconds. */
  readonly at: string;
  /** The tracked table: for a partition, its root. */
  readonly schema: string;
  readonly table: string;
  readonly op: TrailOperation;
  /**
   * Primary key of the row: before the change for updates and deletes, after it for inserts;
   * null for truncates. An update that changes the key carries the new key in `newRow`.
   */
  readonly key: JsonObject | null;
  /** The whole row before the change (updates, deletes), as to_jsonb renders it. */
  readonly oldRow: JsonObject | null;
  /** The whole row after the change (inserts, updates). */
  readonly newRow: JsonObject | null;
  /** For a truncate of one leaf partition, `schema.partition`; otherwise null. */
  readonly partition: string | null;
  /** `restorepoint.actor` as the app set it, else the database user. */
  readonly actor: string;
  /** session_user, whatever the app claimed. */
  readonly dbUser: string;
  readonly application: string | null;
}

/** The select list that `trailEntrySchema` parses, over `change c` left-joined to `seal s`. */
export const TRAIL_ENTRY_COLUMNS = `c.seq, c.xid::text as xid, s.position,
  pg_catalog.to_char(c.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at,
  c.schema_name, c.table_name, c.op, c.key, c.old_row, c.new_row, c.partition_name, c.actor, c.db_user, c.application`;

const jsonObject = objectSchema<JsonObject>();

export const trailEntrySchema = z
  .object({
    seq: int8,
    xid: z.string(),
    position: int8.nullable(),
    at: z.string(),
    schema_name: z.string(),
    table_name: z.string(),
    op: z.enum(['insert', 'update', 'delete', 'truncate']),
    key: jsonObject.nullable(),
    old_row: jsonObject.nullable(),
    new_row: jsonObject.nullable(),
    partition_name: z.string().nullable(),
    actor: z.string(),
    db_user: z.string(),
    application: z.string().nullable(),
  })
  .transform(
    (r): TrailEntry => ({
      seq: r.seq,
      xid: r.xid,
      position: r.position,
      at: r.at,
      schema: r.schema_name,
      table: r.table_name,
      op: r.op,
      key: r.key,
      oldRow: r.old_row,
      newRow: r.new_row,
      partition: r.partition_name,
      actor: r.actor,
      dbUser: r.db_user,
      application: r.application,
    }),
  );
