import { RestorepointError } from '../../core/errors';
import type { ManifestTable } from '../../core/manifest';
import { qualifiedName, quoteIdent } from '../../postgres/queryable';

/**
 * A table in a rollback's scope, as the workflow passes it between activities: names and
 * keys only, never rows. `columns` are the exported (non-generated) columns.
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

/** Tables without a primary key are refused: rows could not be matched between live and target. */
export function toScopeTables(tables: readonly ManifestTable[]): ScopeTable[] {
  const keyless = tables.filter((t) => t.primaryKey.length === 0).map((t) => `${t.schema}.${t.name}`);
  if (keyless.length > 0) {
    throw new RestorepointError('NO_PRIMARY_KEY', `no primary key on ${keyless.join(', ')}: rows cannot be matched between live data and the target, so the rollback is refused (narrow the scope, or add a key)`, { tables: keyless });
  }
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

/** SQL fragments for one scope table: live relation, staging relation, column lists, key joins. */
export function tableSql(t: ScopeTable, stagingSchema: string) {
  const live = qualifiedName(t.schema, t.name);
  const liveFrom = t.kind === 'table' ? `only ${live}` : live;
  const keyJoin = (a: string, b: string) => t.primaryKey.map((c) => `${a}.${quoteIdent(c)} = ${b}.${quoteIdent(c)}`).join(' and ');
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
    rowText: (alias: string) => `row(${t.columns.map((c) => `${alias}.${quoteIdent(c)}`).join(', ')})::text`,
    keyJoin,
    keyColumns: t.primaryKey.map(quoteIdent).join(', '),
  };
}
