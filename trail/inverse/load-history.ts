import { z } from 'zod';
import { qualifiedName, type Queryable } from '../../postgres/queryable';
import { TRAIL_ENTRY_COLUMNS, trailEntrySchema, type TrailEntry } from '../trail-entry';
import type { HistoryEntry } from './inverse-plan';

const historyRowSchema = z.object({
  row_before: z.string().nullable(),
  row_after: z.string().nullable(),
  changed_columns: z.array(z.string()),
});

/**
 * Every sealed entry on `schema.table` from `fromPosition` on, in position order, with each row's
 * identity before and after the change and an update's changed columns.
 *
 * Both are worked out in SQL because JavaScript cannot do them exactly: a key is normalized by
 * reading it into the table's own row type and rendering it again in this session (so a
 * timestamptz key written by sessions in different time zones, or a number written two ways,
 * gives one identity), and columns are compared as jsonb, where big numbers keep every digit.
 * Run it in a transaction whose settings are fixed (see planInverse).
 */
export async function loadTableHistory(client: Queryable, schema: string, table: string, fromPosition: number): Promise<HistoryEntry[]> {
  const type = qualifiedName(schema, table);
  const keyOf = (image: string) =>
    `(select pg_catalog.jsonb_object_agg(j.key, j.value)
        from pg_catalog.jsonb_each(pg_catalog.to_jsonb(pg_catalog.jsonb_populate_record(null::${type}, ${image}))) j
       where c.key ? j.key)::text`;
  const { rows } = await client.query(
    `select ${TRAIL_ENTRY_COLUMNS},
            case when c.op in ('update', 'delete') then ${keyOf('c.key')} end as row_before,
            case when c.op in ('insert', 'update') then ${keyOf('c.new_row')} end as row_after,
            case when c.op = 'update'
                 then array(select n.key from pg_catalog.jsonb_each(c.new_row) n where n.value is distinct from c.old_row -> n.key order by n.key)
                 else '{}' end as changed_columns
       from restorepoint_trail.seal s join restorepoint_trail.change c on c.xid = s.xid and c.seq = s.seq
      where c.schema_name = $1 and c.table_name = $2 and s.position >= $3
      order by s.position`,
    [schema, table, fromPosition],
  );
  return rows.map((row) => {
    const extra = historyRowSchema.parse(row);
    const entry = trailEntrySchema.parse(row);
    const identity = (key: string | null) => (key === null ? null : JSON.stringify([schema, table, key]));
    return { entry, rowBefore: identity(extra.row_before), rowAfter: identity(extra.row_after), changedColumns: extra.changed_columns };
  });
}

/** Sealed entries matching a WHERE condition over `change c`, in position order. */
export async function loadMatchingEntries(client: Queryable, condition: { readonly sql: string; readonly params: readonly unknown[] }): Promise<TrailEntry[]> {
  const { rows } = await client.query(
    `select ${TRAIL_ENTRY_COLUMNS}
       from restorepoint_trail.seal s join restorepoint_trail.change c on c.xid = s.xid and c.seq = s.seq
      where ${condition.sql}
      order by s.position`,
    condition.params,
  );
  return rows.map((row) => trailEntrySchema.parse(row));
}

/** Generated columns of `schema.table`, which an inverse must never write. */
export async function generatedColumns(client: Queryable, schema: string, table: string): Promise<Set<string>> {
  const { rows } = await client.query<{ name: string }>(
    `select attname::text as name from pg_attribute
      where attrelid = $1::regclass and attgenerated <> '' and attnum > 0 and not attisdropped`,
    [qualifiedName(schema, table)],
  );
  return new Set(rows.map((r) => r.name));
}
