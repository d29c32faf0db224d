import { qualifiedName, quoteIdent, type Queryable } from '../../postgres/queryable';
import { label, tableSql, type ScopeTable } from './scope-table';

/**
 * A foreign key of the live database with at least one end in scope. Keys declared on
 * partitions are reported against their partitioned root (whose staging copy holds the
 * rows), once per root.
 */
export interface ScopeForeignKey {
  readonly name: string;
  readonly child: { readonly schema: string; readonly name: string };
  readonly childColumns: readonly string[];
  readonly parent: { readonly schema: string; readonly name: string };
  readonly parentColumns: readonly string[];
  readonly deferrable: boolean;
}

export async function listScopeForeignKeys(db: Queryable, scope: readonly ScopeTable[]): Promise<ScopeForeignKey[]> {
  const names = scope.map(label);
  const { rows } = await db.query<{ name: string; cs: string; cn: string; cc: string[]; ps: string; pn: string; pc: string[]; deferrable: boolean }>(
    `with fk as (
       select c.conname, coalesce(pg_partition_root(c.conrelid), c.conrelid) as child, c.conkey, c.conrelid,
              coalesce(pg_partition_root(c.confrelid), c.confrelid) as parent, c.confkey, c.confrelid, c.condeferrable
         from pg_constraint c where c.contype = 'f' and c.conparentid = 0
     )
     select distinct on (fk.child, fk.parent, cols.cc, cols.pc)
            fk.conname as name, cn.nspname as cs, cc.relname as cn, cols.cc, pn.nspname as ps, pc.relname as pn, cols.pc, fk.condeferrable as deferrable
       from fk
       join pg_class cc on cc.oid = fk.child join pg_namespace cn on cn.oid = cc.relnamespace
       join pg_class pc on pc.oid = fk.parent join pg_namespace pn on pn.oid = pc.relnamespace
       cross join lateral (select
            array(select a.attname::text from unnest(fk.conkey) with ordinality k(n, i) join pg_attribute a on a.attrelid = fk.conrelid and a.attnum = k.n order by k.i) as cc,
            array(select a.attname::text from unnest(fk.confkey) with ordinality k(n, i) join pg_attribute a on a.attrelid = fk.confrelid and a.attnum = k.n order by k.i) as pc) cols
      where (cn.nspname || '.' || cc.relname) = any($1) or (pn.nspname || '.' || pc.relname) = any($1)
      order by fk.child, fk.parent, cols.cc, cols.pc, fk.conname`,
    [names],
  );
  return rows.map((r) => ({ name: r.name, child: { schema: r.cs, name: r.cn }, childColumns: r.cc, parent: { schema: r.ps, name: r.pn }, parentColumns: r.pc, deferrable: r.deferrable }));
}

/** Where a table's rows will be once the rollback is applied: its staging copy when in scope, else live. */
export function finalRelation(table: { schema: string; name: string }, scope: readonly ScopeTable[], stagingSchema: string | null): string {
  const inScope = scope.find((t) => t.schema === table.schema && t.name === table.name);
  if (!inScope || !stagingSchema) return qualifiedName(table.schema, table.name);
  if (!inScope.keysTable) return qualifiedName(stagingSchema, table.name);
  // Narrowed to some keys: the rows outside them stay as they are live.
  const q = tableSql(inScope, stagingSchema);
  const cols = inScope.columns.map(quoteIdent).join(', ');
  return `(select ${cols} from ${q.liveFrom} x where not ${q.inKeys('x')} union all select ${cols} from ${q.stage})`;
}

/** Child rows of `childFrom` with a complete key that matches no row of `parentFrom`. */
export async function countViolations(db: Queryable, fk: ScopeForeignKey, childFrom: string, parentFrom: string): Promise<number> {
  const notNull = fk.childColumns.map((c) => `c.${quoteIdent(c)} is not null`).join(' and ');
  const match = fk.childColumns.map((c, i) => `p.${quoteIdent(fk.parentColumns[i]!)} = c.${quoteIdent(c)}`).join(' and ');
  const { rows } = await db.query<{ n: string }>(`select count(*)::text as n from ${childFrom} c where ${notNull} and not exists (select 1 from ${parentFrom} p where ${match})`);
  return Number(rows[0]!.n);
}
