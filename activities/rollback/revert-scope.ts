import type pg from 'pg';
import { describeColumns, describeForeignKeys, describePrimaryKey } from '../../postgres/introspect';
import type { ScopeTable } from './scope-table';

/**
 * The tables a revert touches, described from the live database as the export path
 * describes them from a manifest. Partitions count as their partitioned root, which is
 * what exports (and so the safety snapshot) hold.
 */
export async function liveScopeTables(db: pg.ClientBase, touched: readonly { schema: string; table: string }[]): Promise<ScopeTable[]> {
  const { rows } = await db.query<{ schema: string; name: string; relkind: string }>(
    `select distinct n.nspname as schema, c.relname as name, c.relkind::text as relkind
       from unnest($1::text[]) t(name)
       join pg_class p on p.oid = to_regclass(t.name)
       join pg_class c on c.oid = coalesce(pg_partition_root(p.oid), p.oid)
       join pg_namespace n on n.oid = c.relnamespace
      order by 1, 2`,
    [[...new Set(touched.map((t) => `"${t.schema.replace(/"/g, '""')}"."${t.table.replace(/"/g, '""')}"`))]],
  );
  const tables: ScopeTable[] = [];
  for (const r of rows) {
    const ref = { schema: r.schema, name: r.name, kind: r.relkind === 'p' ? ('partitioned' as const) : ('table' as const) };
    const columns = await describeColumns(db, ref);
    tables.push({
      ...ref,
      columns: columns.filter((c) => c.generated === null).map((c) => c.name),
      primaryKey: await describePrimaryKey(db, ref),
      identityAlways: columns.some((c) => c.identity === 'always' && c.generated === null),
      foreignKeys: (await describeForeignKeys(db, ref)).map((fk) => ({ referencedSchema: fk.referencedSchema, referencedTable: fk.referencedTable })),
      keysTable: null,
      where: null,
      keysInScope: null,
    });
  }
  return tables;
}
