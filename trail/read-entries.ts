import type { Queryable } from '../postgres/queryable';
import { TRAIL_ENTRY_COLUMNS, trailEntrySchema, type TrailEntry } from './trail-entry';

export interface SealedRange {
  /** Entries after this position (exclusive); 0 for the start of the trail. */
  readonly after: number;
  /** Up to this position (inclusive); unbounded when absent. */
  readonly upTo?: number;
  /** At most this many entries (default 1000): page on with `after` = the last position read. */
  readonly limit?: number;
}

/**
 * Sealed entries with position in (after, upTo], in position order: what an incremental export
 * reads and archives. A range scan on the seal's primary key plus one primary-key lookup per
 * entry, so its cost follows the number of entries read, not the trail's length.
 */
export async function listSealedEntries(client: Queryable, range: SealedRange): Promise<TrailEntry[]> {
  const { rows } = await client.query(
    `select ${TRAIL_ENTRY_COLUMNS}
       from restorepoint_trail.seal s join restorepoint_trail.change c on c.xid = s.xid and c.seq = s.seq
      where s.position > $1 and ($2::bigint is null or s.position <= $2)
      order by s.position limit $3`,
    [range.after, range.upTo ?? null, range.limit ?? 1000],
  );
  return rows.map((row) => trailEntrySchema.parse(row));
}
