import { qualifiedName, type Queryable } from './queryable';

/**
 * True only when a table provably shows the same rows now as in an earlier snapshot: every
 * row visible now was already visible in that snapshot (its inserting transaction had
 * committed then: `pg_visible_in_snapshot`), and the count is the same, so none was deleted.
 * Row xids are 32 bits; each is widened to a full xid by its distance behind the next xid
 * (a frozen row reads as xid 2, so it widens to an old, visible one). Checking visibility,
 * not "older than the snapshot's xmin", keeps the answer right on a busy server where an
 * unrelated long transaction holds xmin back. Used when a resumed export lost its snapshot:
 * an unchanged table's parts from the old snapshot are also exactly its rows in the new one.
 */
export async function tableUnchangedSince(
  db: Queryable,
  table: { schema: string; name: string; kind: 'table' | 'partitioned' },
  earlierTxidSnapshot: string,
  earlierRows: number,
): Promise<boolean> {
  const only = table.kind === 'table' ? 'only ' : '';
  const { rows } = await db.query<{ rows: string; unseen: string }>(
    `with horizon as (select pg_snapshot_xmax(pg_current_snapshot())::text::numeric as next_xid)
     select count(*)::text as rows,
            count(*) filter (where not pg_visible_in_snapshot(
              (h.next_xid - mod(mod(h.next_xid, 4294967296) - t.xmin::text::numeric + 4294967296, 4294967296))::text::xid8,
              $1::pg_snapshot))::text as unseen
       from ${only}${qualifiedName(table.schema, table.name)} t cross join horizon h`,
    [earlierTxidSnapshot],
  );
  const row = rows[0]!;
  return Number(row.rows) === earlierRows && Number(row.unseen) === 0;
}
