import type { Queryable } from '../postgres/queryable';
import { archivableEntry, type ArchivableEntry } from './archived-entry';
import { canonicalEntrySql } from './entry-hash';

/** A sealed entry whose change row is gone (deleted behind the trail's back, or pruned). */
export interface MissingEntry {
  readonly position: number;
  readonly hash: string;
  readonly canonical: null;
}

/**
 * Sealed entries with position in (after, min(upTo, after + limit)], in order, as they are
 * archived: position, stored hash, canonical text and what the entry changed (null canonical:
 * the change row is gone). Positions have no gaps, so bounding the range, not just the row
 * count, keeps each page's cost at `limit` entries whatever the planner estimates (with
 * `limit` alone, a plan that sorts the whole rest of the range made reading n entries cost
 * O(n²)). Page with `after` = the last position read; a seal missing inside the range shows as
 * a position gap to the caller. Call inside one snapshot for a consistent read.
 */
export async function readArchivableEntries(client: Queryable, after: number, upTo: number, limit = 1000): Promise<(ArchivableEntry | MissingEntry)[]> {
  const { rows } = await client.query(
    `select s.position, s.hash, case when c.seq is not null then ${canonicalEntrySql('s.position', 'c')} end as canonical,
            c.schema_name, c.table_name, c.op
       from restorepoint_trail.seal s left join restorepoint_trail.change c on c.xid = s.xid and c.seq = s.seq
      where s.position > $1 and s.position <= least($2::bigint, $1::bigint + $3::bigint) order by s.position`,
    [after, upTo, limit],
  );
  return rows.map((row) => {
    const hash = row.hash;
    if (typeof hash !== 'string') throw new Error(`not a sealed entry row: ${JSON.stringify(row).slice(0, 300)}`);
    return row.canonical === null ? { position: Number(row.position), hash, canonical: null } : archivableEntry(row, () => hash);
  });
}
