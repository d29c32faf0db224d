import type { ManifestColumn, ManifestForeignKey, ManifestSequence } from '../core/manifest';
import { qualifiedName, type Queryable } from './queryable';

export interface TableRef {
  readonly schema: string;
  readonly name: string;
  readonly kind: 'table' | 'partitioned';
}

/**
 * Every exportable table of the schemas: ordinary tables and partitioned roots. Leaf
 * partitions are left out because their rows are exported once, through their root;
 * inheritance children stay, and each table is read with ONLY so a parent's own rows are
 * not mixed with its children's. Tables an extension created are its own, as pg_dump treats
 * them: `CREATE EXTENSION` brings them back.
 */
export async function listTables(db: Queryable, schemas: readonly string[]): Promise<TableRef[]> {
  const { rows } = await db.query<{ schema: string; name: string; relkind: string }>(
    `select n.nspname as schema, c.relname as name, c.relkind::text as relkind
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = any($1) and c.relkind in ('r', 'p') and not c.relispartition
        and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
      order by 1, 2`,
    [schemas],
  );
  return rows.map((r) => ({ schema: r.schema, name: r.name, kind: r.relkind === 'p' ? 'partitioned' : 'table' }));
}

export async function describeColumns(db: Queryable, table: TableRef): Promise<ManifestColumn[]> {
  return (await describeColumnsOf(db, [table]))[0]!;
}

/**
 * Each table's columns, in the order of `tables`, from one catalog query whatever their
 * number: a query per table cost a round trip each, most of a many-table export's planning.
 */
export async function describeColumnsOf(db: Queryable, tables: readonly TableRef[]): Promise<ManifestColumn[][]> {
  const { rows } = await db.query<{ i: string; name: string; type: string; not_null: boolean; default_expr: string | null; generated: string; identity: string; json_cast: boolean }>(
    `select t.i::text as i, a.attname as name, format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as not_null,
            pg_get_expr(d.adbin, d.adrelid) as default_expr, a.attgenerated::text as generated, a.attidentity::text as identity,
            exists (select 1 from pg_cast k
                     where k.castsource in (ty.oid, ty.typbasetype, ty.typelem) and k.castsource not in ('json'::regtype, 'jsonb'::regtype)
                       and k.casttarget in ('json'::regtype, 'jsonb'::regtype)) as json_cast
       from unnest($1::text[]) with ordinality as t(name, i)
       join pg_attribute a on a.attrelid = t.name::regclass
       join pg_type ty on ty.oid = a.atttypid
       left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
      where a.attnum > 0 and not a.attisdropped
      order by t.i, a.attnum`,
    [tableNames(tables)],
  );
  return groupByTable(tables, rows, (r) => ({
    name: r.name,
    type: r.type,
    nullable: !r.not_null,
    default: r.generated ? null : r.default_expr,
    generated: r.generated ? r.default_expr : null,
    identity: r.identity === 'a' ? 'always' : r.identity === 'd' ? 'by default' : null,
    // hstore (and any type with a cast to json) would become a JSON object that its input does not read back.
    ...(r.json_cast ? { jsonlText: true as const } : {}),
  }));
}

/** The tables' quoted qualified names, for `unnest($1::text[]) with ordinality` and a `::regclass` cast each. */
function tableNames(tables: readonly TableRef[]): string[] {
  return tables.map((t) => qualifiedName(t.schema, t.name));
}

/** Rows tagged with their table's 1-based position `i` (in `tables` order, each table's rows in query order), one list per table. */
function groupByTable<Row extends { i: string }, T>(tables: readonly TableRef[], rows: readonly Row[], map: (row: Row) => T): T[][] {
  const out: T[][] = tables.map(() => []);
  for (const row of rows) out[Number(row.i) - 1]!.push(map(row));
  return out;
}

/** Materialized views of the schemas, in creation order, and whether each held rows (was refreshed). */
export async function listMaterializedViews(db: Queryable, schemas: readonly string[]): Promise<{ schema: string; name: string; populated: boolean }[]> {
  const { rows } = await db.query<{ schema: string; name: string; populated: boolean }>(
    `select n.nspname as schema, c.relname as name, c.relispopulated as populated
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = any($1) and c.relkind = 'm'
        and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
      order by c.oid`,
    [schemas],
  );
  return rows;
}

export async function describePrimaryKey(db: Queryable, table: TableRef): Promise<string[]> {
  return (await describePrimaryKeysOf(db, [table]))[0]!;
}

/** Each table's primary key columns (none: an empty list), in the order of `tables`, from one catalog query. */
export async function describePrimaryKeysOf(db: Queryable, tables: readonly TableRef[]): Promise<string[][]> {
  const { rows } = await db.query<{ i: string; name: string }>(
    `select t.i::text as i, a.attname as name
       from unnest($1::text[]) with ordinality as t(name, i)
       join pg_constraint c on c.conrelid = t.name::regclass and c.contype = 'p'
       cross join lateral unnest(c.conkey) with ordinality as k(attnum, position)
       join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum
      order by t.i, k.position`,
    [tableNames(tables)],
  );
  return groupByTable(tables, rows, (r) => r.name);
}

export async function describeForeignKeys(db: Queryable, table: TableRef): Promise<ManifestForeignKey[]> {
  return (await describeForeignKeysOf(db, [table]))[0]!;
}

/** Each table's own foreign keys (not those a partition inherits), by name, in the order of `tables`, from one catalog query. */
export async function describeForeignKeysOf(db: Queryable, tables: readonly TableRef[]): Promise<ManifestForeignKey[][]> {
  const { rows } = await db.query<{ i: string; name: string; columns: string[]; ref_schema: string; ref_table: string; ref_columns: string[]; deferrable: boolean }>(
    `select t.i::text as i, c.conname as name,
            array(select a.attname from unnest(c.conkey) with ordinality k(n, i) join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.n order by k.i)::text[] as columns,
            rn.nspname as ref_schema, rc.relname as ref_table,
            array(select a.attname from unnest(c.confkey) with ordinality k(n, i) join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.n order by k.i)::text[] as ref_columns,
            c.condeferrable as deferrable
       from unnest($1::text[]) with ordinality as t(name, i)
       join pg_constraint c on c.conrelid = t.name::regclass and c.contype = 'f' and c.conparentid = 0
       join pg_class rc on rc.oid = c.confrelid
       join pg_namespace rn on rn.oid = rc.relnamespace
      order by t.i, c.conname`,
    [tableNames(tables)],
  );
  return groupByTable(tables, rows, (r) => ({
    name: r.name,
    columns: r.columns,
    referencedSchema: r.ref_schema,
    referencedTable: r.ref_table,
    referencedColumns: r.ref_columns,
    deferrable: r.deferrable,
  }));
}

/** Each table's planner row estimate, main-fork bytes and pages, in the order of `tables`, from one catalog query. */
export async function estimateTableSizes(db: Queryable, tables: readonly TableRef[]): Promise<{ rows: number; bytes: number; pages: number }[]> {
  const { rows } = await db.query<{ i: string; n: string; bytes: string; pages: string }>(
    `select t.i::text as i, greatest(c.reltuples, 0)::bigint::text as n, pg_relation_size(c.oid)::text as bytes,
            (pg_relation_size(c.oid) / current_setting('block_size')::int)::text as pages
       from unnest($1::text[]) with ordinality as t(name, i)
       join pg_class c on c.oid = t.name::regclass
      order by t.i`,
    [tableNames(tables)],
  );
  return groupByTable(tables, rows, (r) => ({ rows: Number(r.n), bytes: Number(r.bytes), pages: Number(r.pages) })).map((one) => one[0] ?? { rows: 0, bytes: 0, pages: 0 });
}

/**
 * Sequences of the schemas with their current values. Sequences are not transactional,
 * so these are read at export time, as pg_dump does.
 */
export async function listSequences(db: Queryable, schemas: readonly string[]): Promise<ManifestSequence[]> {
  const { rows } = await db.query<{ schema: string; name: string; last_value: string | null; is_called: boolean | null }>(
    `select schemaname as schema, sequencename as name, last_value::text as last_value, last_value is not null as is_called
       from pg_sequences s
      where schemaname = any($1)
        and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = format('%I.%I', s.schemaname, s.sequencename)::regclass and d.deptype = 'e')
      order by 1, 2`,
    [schemas],
  );
  // pg_sequences shows last_value null until first use; restoring that means setval(start, false).
  const out: ManifestSequence[] = [];
  for (const r of rows) {
    if (r.last_value !== null) {
      out.push({ schema: r.schema, name: r.name, lastValue: r.last_value, isCalled: true });
    } else {
      const start = await db.query<{ start_value: string }>('select start_value::text from pg_sequences where schemaname = $1 and sequencename = $2', [r.schema, r.name]);
      out.push({ schema: r.schema, name: r.name, lastValue: start.rows[0]?.start_value ?? '1', isCalled: false });
    }
  }
  return out;
}

export async function sourceIdentity(db: Queryable): Promise<{ database: string; serverVersion: string; systemIdentifier: string }> {
  const { rows } = await db.query<{ database: string; server_version: string; system_identifier: string }>(
    `select current_database() as database, current_setting('server_version') as server_version,
            (select system_identifier::text from pg_control_system()) as system_identifier`,
  );
  const row = rows[0]!;
  return { database: row.database, serverVersion: row.server_version, systemIdentifier: row.system_identifier };
}

