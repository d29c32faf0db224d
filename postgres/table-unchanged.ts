import { qualifiedName, type Queryable } from './queryable';

/**
 * True only when a table provably shows the same rows now as in an earlier snapshot: the
 * row count is the same and no visible row was written by a transaction at or after that
 * snapshot's xmin. Row xids are 32-bit, so each is placed by its distance behind the next
 * xid; a frozen ancient row may look recent, which only makes the answer a conservative
 * "changed". Used when a resumed export lost its snapshot: an unchanged table's parts
 * from the old snapshot are also exactly its rows in the new one.
 */
export async function tableUnchangedSince(
  db: Queryable,
  table: { schema: string; name: string; kind: 'table' | 'partitioned' },
  earlierTxidSnapshot: string,
  earlierRows: number,
): Promise<boolean> {
  const only = table.kind === 'table' ? 'only ' : '';
  const { rows } = await db.query<{ rows: string; recent: string }>(
    `with horizon as (
       select pg_snapshot_xmax(pg_current_snapshot())::text::numeric as next_xid,
              pg_snapshot_xmin($1::pg_snapshot)::text::numeric as earlier_xmin)
     select count(*)::text as rows,
            count(*) filter (where mod(h.next_xid - t.xmin::text::numeric + 4294967296, 4294967296) <= h.next_xid - h.earlier_xmin)::text as recent
       from ${only}${qualifiedName(table.schema, table.name)} t cross join horizon h`,
    [earlierTxidSnapshot],
  );
  const row = rows[0]!;
  return Number(row.rows) === earlierRows && Number(row.recent) === 0;
}
