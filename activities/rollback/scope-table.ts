import type { ManifestTable } from '../../core/manifest';
import { qualifiedName, quoteIdent } from '../../postgres/queryable';

/**
 * A table in a rollback's scope, as the workflow passes it between activities: names and
 * keys only, never rows. `columns` are the exported (non-generated) columns. A table
 * without a primary key (`primaryKey` empty) is rolled back as a multiset: how many copies
 * of each distinct row (see diff-sql.ts).
 */
export interface ScopeTable {
  readonly schema: string;
  readonly name: string;
  readonly kind: 'table' | 'partitioned';
  readonly columns: readonly string[];
  readonly primaryKey: readonly string[];
  readonly identityAlways: boolean;
  readonly foreignKeys: readonly { readonly referencedSchema: string; readonly referencedTable: string }[];
  /** When the scope is narrowed to some primary keys: the staging table holding them. */
  readonly keysTable: string | null;
  /** The row predicate those keys were resolved from (rollback input `where`), shown to approvers. */
  readonly where: string | null;
  /** How many primary keys the narrowed scope holds, once prepare has staged them. */
  readonly keysInScope: number | null;
}

export function toScopeTables(tables: readonly ManifestTable[]): ScopeTable[] {
  return tables.map((t) => ({
    schema: t.schema,
    name: t.name,
    kind: t.kind,
    columns: t.columns.filter((c) => c.generated === null).map((c) => c.name),
    primaryKey: t.primaryKey,
    identityAlways: t.columns.some((c) => c.identity === 'always' && c.generated === null),
    foreignKeys: t.foreignKeys.map((fk) => ({ referencedSchema: fk.referencedSchema, referencedTable: fk.referencedTable })),
    keysTable: null,
    where: null,
    keysInScope: null,
  }));
}

export const label = (t: { schema: string; name: string }) => `${t.schema}.${t.name}`;

/** No primary key: rows are matched by their whole value, and counted (a multiset). */
export const isKeyless = (t: Pick<ScopeTable, 'primaryKey'>) => t.primaryKey.length === 0;

/** SQL fragments for one scope table: live relation, staging relation, column lists, key joins. */
export function tableSql(t: ScopeTable, stagingSchema: string) {
  const live = qualifiedName(t.schema, t.name);
  const liveFrom = t.kind === 'table' ? `only ${live}` : live;
  const keyJoin = (a: string, b: string) => t.primaryKey.map((c) => `${a}.${quoteIdent(c)} = ${b}.${quoteIdent(c)}`).join(' and ');
  const rowText = (alias: string) => `row(${t.columns.map((c) => `${alias}.${quoteIdent(c)}`).join(', ')})::text`;
  const inKeys = (alias: string) => (t.keysTable ? `exists (select 1 from ${t.keysTable} k where ${keyJoin('k', alias)})` : 'true');
  return {
    live,
    /** ONLY for plain tables (inheritance children are not in scope); a partitioned root reads its partitions. Writes go here. */
    liveFrom,
    /** The live rows in scope, for reading: the whole table, or the rows with the chosen keys (xmin kept for the preview). */
    liveRows: t.keysTable ? `(select x.*, x.xmin as xmin from ${liveFrom} x where ${inKeys('x')})` : liveFrom,
    /** Rows of the live table outside the scope, which the rollback leaves alone. */
    inKeys,
    stage: qualifiedName(stagingSchema, t.name),
    columns: t.columns.map(quoteIdent).join(', '),
    /** The row as text, the one comparison every type supports (json has no equality). */
    rowText,
    keyJoin,
    /** The same row: by primary key, or for a table without one by its whole value. */
    sameRow: (a: string, b: string) => (t.primaryKey.length > 0 ? keyJoin(a, b) : `${rowText(a)} = ${rowText(b)}`),
    keyColumns: t.primaryKey.map(quoteIdent).join(', '),
  };
}
