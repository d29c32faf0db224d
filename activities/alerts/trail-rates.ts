import type { Queryable } from '../../postgres/queryable';

/** One table and operation's changes in the current window, per actor. */
export interface WindowChanges {
  readonly table: string;
  readonly operation: 'delete' | 'update' | 'truncate';
  readonly actors: ReadonlyMap<string, number>;
  readonly total: number;
  readonly firstAt: Date;
  readonly lastAt: Date;
}

export interface TrailRates {
  /** The source database's clock when read: the window's end. */
  readonly now: Date;
  readonly current: readonly WindowChanges[];
  /** Per `table|operation`: change counts of each of the earlier windows (zeros included), oldest first. */
  readonly history: ReadonlyMap<string, readonly number[]>;
  /** Estimated rows per table (`schema.table`), summed over partitions. */
  readonly tableRows: ReadonlyMap<string, number>;
}

export const rateKey = (table: string, operation: string) => `${table}|${operation}`;

/**
 * Reads the trail's change rates of one source: the current window's deletes, updates and
 * truncates per table and actor (each key only after `cutoffs`, its last alert's window end),
 * and the per-window counts of the `historyWindows` windows before it. Counts only: no row
 * image is read. The `at` bounds use the trail's BRIN index on `at` when it exists.
 */
export async function readTrailRates(client: Queryable, windowSeconds: number, historyWindows: number, cutoffs: ReadonlyMap<string, Date>): Promise<TrailRates> {
  const clock = await client.query<{ now: Date }>('select clock_timestamp() as now');
  const now = clock.rows[0]!.now;
  const cuts = [...cutoffs].map(([key, after]) => {
    const [table, operation] = key.split('|');
    return { table, operation, after: after.toISOString() };
  });
  const current = await client.query<{ tbl: string; op: WindowChanges['operation']; actor: string; n: string; first_at: Date; last_at: Date }>(
    `select c.schema_name || '.' || c.table_name as tbl, c.op, c.actor, count(*)::text as n, min(c.at) as first_at, max(c.at) as last_at
       from restorepoint_trail.change c
       left join jsonb_to_recordset($3::jsonb) as cut("table" text, operation text, after timestamptz)
         on cut."table" = c.schema_name || '.' || c.table_name and cut.operation = c.op
      where c.at > $1::timestamptz - make_interval(secs => $2) and c.at <= $1::timestamptz
        and c.op in ('delete', 'update', 'truncate')
        and (cut.after is null or c.at > cut.after)
      group by 1, 2, 3`,
    [now, windowSeconds, JSON.stringify(cuts)],
  );
  const byKey = new Map<string, { table: string; operation: WindowChanges['operation']; actors: Map<string, number>; total: number; firstAt: Date; lastAt: Date }>();
  for (const row of current.rows) {
    const key = rateKey(row.tbl, row.op);
    const entry = byKey.get(key) ?? { table: row.tbl, operation: row.op, actors: new Map<string, number>(), total: 0, firstAt: row.first_at, lastAt: row.last_at };
    const n = Number(row.n);
    entry.actors.set(row.actor, (entry.actors.get(row.actor) ?? 0) + n);
    entry.total += n;
    if (row.first_at < entry.firstAt) entry.firstAt = row.first_at;
    if (row.last_at > entry.lastAt) entry.lastAt = row.last_at;
    byKey.set(key, entry);
  }
  const past = await client.query<{ tbl: string; op: string; ago: number; n: string }>(
    `select c.schema_name || '.' || c.table_name as tbl, c.op,
            floor(extract(epoch from ($1::timestamptz - c.at)) / $2)::int as ago, count(*)::text as n
       from restorepoint_trail.change c
      where c.at > $1::timestamptz - make_interval(secs => $2 * ($3 + 1)) and c.at <= $1::timestamptz - make_interval(secs => $2)
        and c.op in ('delete', 'update')
      group by 1, 2, 3`,
    [now, windowSeconds, historyWindows],
  );
  const history = new Map<string, number[]>();
  for (const row of past.rows) {
    const key = rateKey(row.tbl, row.op);
    const counts = history.get(key) ?? new Array<number>(historyWindows).fill(0);
    // ago 1 is the window just before the current one; index 0 is the oldest.
    const index = historyWindows - row.ago;
    if (index >= 0 && index < historyWindows) counts[index] = (counts[index] ?? 0) + Number(row.n);
    history.set(key, counts);
  }
  const tables = [...new Set([...byKey.values()].map((e) => e.table))];
  const rows = await client.query<{ tbl: string; n: string }>(
    `select t.tbl, coalesce(sum(greatest(c.reltuples, coalesce(s.n_live_tup, 0), 0)), 0)::bigint::text as n
       from unnest($1::text[]) as t(tbl)
       cross join lateral pg_partition_tree(to_regclass(t.tbl)) p
       join pg_class c on c.oid = p.relid
       left join pg_stat_all_tables s on s.relid = p.relid
      where p.isleaf
      group by t.tbl`,
    [tables.map(quoteQualified)],
  );
  const tableRows = new Map(rows.rows.map((r) => [unquote(r.tbl), Number(r.n)]));
  return { now, current: [...byKey.values()], history, tableRows };
}

/** `schema.table` as to_regclass reads it: each part double-quoted. */
function quoteQualified(table: string): string {
  const dot = table.indexOf('.');
  return `"${table.slice(0, dot).replace(/"/g, '""')}"."${table.slice(dot + 1).replace(/"/g, '""')}"`;
}

function unquote(quoted: string): string {
  const m = /^"((?:[^"]|"")*)"\."((?:[^"]|"")*)"$/.exec(quoted);
  return m ? `${m[1]!.replace(/""/g, '"')}.${m[2]!.replace(/""/g, '"')}` : quoted;
}
