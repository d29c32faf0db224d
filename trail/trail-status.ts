import { z } from 'zod';
import { int8 } from '../catalog/int8';
import type { Queryable } from '../postgres/queryable';
import { CAPTURE_TRIGGER, TRUNCATE_TRIGGER } from './install-sql';
import { trailInstalled } from './install-trail';
import { primaryKeyColumnsSql } from './primary-key-sql';
import { PRUNE_POINT_SQL, upgradeForPruning } from './prune-point';
import { LAST_HORIZON_SQL, type TrailHead } from './seal-trail';

export interface TrackedTable {
  readonly schema: string;
  readonly name: string;
  /** The key columns capture records, as given to its trigger. */
  readonly keyColumns: readonly string[];
  /** The primary key changed since tracking: run `track` again so keys are recorded right. */
  readonly keyChanged: boolean;
  /**
   * Capture fires whatever `session_replication_role` says, on the table and every partition.
   * False when someone disabled or downgraded a capture trigger: changes may be missing.
   */
  readonly captureAlways: boolean;
  /** Leaf partitions (or the table itself) whose TRUNCATE is not captured: run `track` again. */
  readonly truncateUncaptured: readonly string[];
}

export type TrailStatus =
  | { readonly installed: false }
  | {
      readonly installed: true;
      readonly tables: readonly TrackedTable[];
      /** The sealed chain's last entry; null before the first sealing. */
      readonly head: TrailHead | null;
      /** Committed entries not in the chain yet: the next sealing takes them. */
      readonly unsealed: number;
    };

const tableRowSchema = z.object({
  schema: z.string(),
  name: z.string(),
  args: z.instanceof(Buffer),
  key_columns: z.array(z.string()),
  capture_always: z.boolean(),
  truncate_uncaptured: z.array(z.string()),
});
const headRowSchema = z.object({ position: int8.nullable(), hash: z.string().nullable(), unsealed: int8 });

/** What is tracked, found from the capture triggers themselves, and how far sealing has come. */
export async function trailStatus(client: Queryable): Promise<TrailStatus> {
  if (!(await trailInstalled(client))) return { installed: false };
  await upgradeForPruning(client);
  const tables = await trackedTables(client);
  // The unsealed count only looks at transactions from the last sealing's horizon on, as
  // sealing does. The horizon is a parameter, not a subquery, so the plan is made for its
  // value: a range of the (xid, seq) index and one seal lookup per entry, not a hash of the
  // whole seal table, which made the count cost as much as the trail is long.
  const { rows } = await client.query<{ horizon: string }>(`select ${LAST_HORIZON_SQL}::text as horizon`);
  const head = await client.query(
    `select s.position, s.hash,
            (select count(*) from restorepoint_trail.change c
              where c.xid >= $1::xid8
                and not exists (select 1 from restorepoint_trail.seal x where x.xid = c.xid and x.seq = c.seq)) as unsealed
       from (select 1) one left join lateral (
              select h.position, h.hash from ((select position, hash from restorepoint_trail.seal order by position desc limit 1)
                                              union all (${PRUNE_POINT_SQL})) h
               order by h.position desc limit 1) s on true`,
    [rows[0]!.horizon],
  );
  const h = headRowSchema.parse(head.rows[0]);
  return {
    installed: true,
    tables,
    head: h.position !== null && h.hash !== null ? { position: h.position, hash: h.hash } : null,
    unsealed: h.unsealed,
  };
}

/** The tables the installed trail captures, found from the capture triggers themselves. */
export async function trackedTables(client: Queryable): Promise<TrackedTable[]> {
  const tables = await client.query(
    `select n.nspname as schema, c.relname as name, t.tgargs as args,
            ${primaryKeyColumnsSql('c.oid')} as key_columns,
            t.tgenabled = 'A' and not exists (select 1 from pg_trigger x where x.tgparentid = t.oid and x.tgenabled <> 'A')
              and not exists (select 1 from pg_partition_tree(c.oid) p join pg_trigger x on x.tgrelid = p.relid
                               where x.tgname = $2 and x.tgenabled <> 'A') as capture_always,
            array(select pg_catalog.format('%s.%s', ln.nspname, l.relname)
                    from pg_partition_tree(c.oid) p join pg_class l on l.oid = p.relid join pg_namespace ln on ln.oid = l.relnamespace
                   where p.isleaf and not exists (select 1 from pg_trigger x where x.tgrelid = l.oid and x.tgname = $2)
                   order by 1) as truncate_uncaptured
       from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
      where t.tgname = $1 and t.tgparentid = 0
      order by 1, 2`,
    [CAPTURE_TRIGGER, TRUNCATE_TRIGGER],
  );
  return tables.rows.map((row) => {
    const r = tableRowSchema.parse(row);
    // tgargs holds the trigger's arguments, each ended by a NUL byte: schema, table, key columns.
    const keyColumns = r.args.toString('utf8').split('\0').slice(2, -1);
    return {
      schema: r.schema,
      name: r.name,
      keyColumns,
      keyChanged: keyColumns.join('\0') !== r.key_columns.join('\0'),
      captureAlways: r.capture_always,
      truncateUncaptured: r.truncate_uncaptured,
    };
  });
}
