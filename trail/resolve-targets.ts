import { RestorepointError } from '../core/errors';
import { splitPattern } from '../core/table-patterns';
import { quoteIdent, type Queryable } from '../postgres/queryable';
import { TRAIL_SCHEMA } from './install-sql';
import { primaryKeyColumnsSql } from './primary-key-sql';

/** A table as tracking sees it: partitioned tables are tracked at their root. */
export interface TrackableTable {
  readonly schema: string;
  readonly name: string;
  readonly kind: 'table' | 'partitioned';
  /** Primary key columns in key order; empty when the table has none. */
  readonly keyColumns: readonly string[];
  /** Each leaf partition (none for a plain table): TRUNCATE triggers go there. */
  readonly leaves: readonly { readonly schema: string; readonly name: string }[];
}

const SYSTEM_SCHEMAS = new Set(['pg_catalog', 'information_schema', 'pg_toast', TRAIL_SCHEMA]);

/**
 * Turns `track`/`untrack` arguments into tables. `schema.table` names one table (a part holding a
 * dot or a quote is written in double quotes, as in SQL: `"Sales Data"."Order.Lines"`), `schema.*` or
 * a bare name that is a schema names every table in it (plain tables and partitioned roots), and
 * any other bare name is a table found through the search path. A leaf partition is refused
 * (track its root, so its changes are recorded under the root's name), as are the trail's own
 * schema and the system schemas.
 */
export async function resolveTargets(client: Queryable, targets: readonly string[]): Promise<TrackableTable[]> {
  if (targets.length === 0) throw new RestorepointError('INPUT_INVALID', 'name at least one table or schema');
  const oids = new Set<string>();
  for (const target of targets) {
    for (const oid of await targetOids(client, target)) oids.add(oid);
  }
  return describe(client, [...oids]);
}

/** The OIDs (as text: they may exceed a signed int) of the tables one argument names. */
async function targetOids(client: Queryable, target: string): Promise<string[]> {
  const parts = splitPattern(target);
  if (parts.length > 2 || parts.some((p) => p === '')) {
    throw new RestorepointError('INPUT_INVALID', `"${target}": expected table, schema, schema.table or schema.* (write a name with a dot in double quotes: "a.b")`, { target });
  }
  // `"Sales Data"."Order.Lines"`: quoted parts are names verbatim (a bare `*` is the only wildcard).
  const [schema, table] = parts.length === 2 ? [unquote(parts[0]!), parts[1] === '*' ? '*' : unquote(parts[1]!)] : [undefined, unquote(parts[0]!)];
  const schemaName = schema ?? (table !== '*' && (await schemaExists(client, table)) ? table : undefined);
  if (schemaName !== undefined && SYSTEM_SCHEMAS.has(schemaName)) {
    throw new RestorepointError('INPUT_INVALID', `"${target}": tables in ${schemaName} cannot be tracked`, { target });
  }
  if (schemaName !== undefined && (schema === undefined || table === '*')) {
    const { rows } = await client.query<{ oid: string }>(
      `select c.oid::text as oid from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = $1 and c.relkind in ('r', 'p') and not c.relispartition order by c.relname`,
      [schemaName],
    );
    if (rows.length === 0) throw new RestorepointError('TABLE_NOT_FOUND', `schema "${schemaName}" has no tables`, { target });
    return rows.map((r) => r.oid);
  }
  const { rows } = await client.query<{ oid: string; relkind: string; partition_of: string | null; schema: string }>(
    `select c.oid::text as oid, c.relkind::text as relkind, n.nspname as schema,
            (select pg_catalog.format('%I.%I', pn.nspname, p.relname) from pg_partition_root(c.oid) r(oid)
               join pg_class p on p.oid = r.oid join pg_namespace pn on pn.oid = p.relnamespace
              where c.relispartition) as partition_of
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.oid = to_regclass($1)`,
    // Quoted so to_regclass reads the name verbatim, case included.
    [schema === undefined ? quoteIdent(table) : `${quoteIdent(schema)}.${quoteIdent(table)}`],
  );
  const row = rows[0];
  if (!row || !['r', 'p'].includes(row.relkind)) {
    throw new RestorepointError('TABLE_NOT_FOUND', `table "${target}" does not exist`, { target });
  }
  if (SYSTEM_SCHEMAS.has(row.schema)) throw new RestorepointError('INPUT_INVALID', `"${target}" cannot be tracked`, { target });
  if (row.partition_of) {
    throw new RestorepointError('INPUT_INVALID', `"${target}" is a partition of ${row.partition_of}: track ${row.partition_of}`, { target });
  }
  return [row.oid];
}

/** A name part as written: double-quoted, its quotes removed and `""` made one quote; otherwise as it is. */
function unquote(part: string): string {
  return /^".*"$/s.test(part) ? part.slice(1, -1).replace(/""/g, '"') : part;
}

async function schemaExists(client: Queryable, name: string): Promise<boolean> {
  const { rows } = await client.query('select 1 from pg_namespace where nspname = $1', [name]);
  return rows.length > 0;
}

async function describe(client: Queryable, oids: readonly string[]): Promise<TrackableTable[]> {
  const { rows } = await client.query<{ schema: string; name: string; relkind: string; key_columns: string[]; leaves: { schema: string; name: string }[] }>(
    `select n.nspname as schema, c.relname as name, c.relkind::text as relkind,
            ${primaryKeyColumnsSql('c.oid')} as key_columns,
            coalesce((select json_agg(json_build_object('schema', ln.nspname, 'name', l.relname) order by ln.nspname, l.relname)
                        from pg_partition_tree(c.oid) t join pg_class l on l.oid = t.relid join pg_namespace ln on ln.oid = l.relnamespace
                       where c.relkind = 'p' and t.isleaf), '[]') as leaves
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.oid = any($1::oid[])
      order by 1, 2`,
    [oids],
  );
  return rows.map((r) => ({
    schema: r.schema,
    name: r.name,
    kind: r.relkind === 'p' ? 'partitioned' : 'table',
    keyColumns: r.key_columns,
    leaves: r.leaves,
  }));
}
