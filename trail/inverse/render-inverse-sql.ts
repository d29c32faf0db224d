import { qualifiedName, quoteIdent } from '../../postgres/queryable';
import type { EntryRef, InverseOperation, InversePlan } from './inverse-plan';

/** One parameterized statement; `params` are the undone entry's xid and seq. */
export interface InverseStatement {
  readonly sql: string;
  readonly params: readonly [xid: string, seq: number];
  /** Rows it must touch: any other count means the row is not what the trail says, so stop. */
  readonly expectedRows: 1;
  readonly undoes: EntryRef;
}

export interface RenderedInverse {
  /** Statements to run first, in the same transaction. */
  readonly setup: readonly string[];
  readonly statements: readonly InverseStatement[];
}

export interface RenderOptions {
  /**
   * Leave the tables' own triggers firing. By default the setup sets
   * `session_replication_role = replica` (superuser, or PG15's GRANT SET ON PARAMETER): triggers
   * such as Pagila's `last_update` would otherwise overwrite the values being restored. Foreign
   * key checks are skipped with them, which the reverse order makes safe. The trail's capture
   * triggers are ENABLE ALWAYS, so the undoing is itself recorded.
   */
  readonly keepUserTriggers?: boolean;
}

/**
 * Renders a plan as statements for a later step to run in one transaction, in order. Pure.
 *
 * Row values are not copied into the statements: each reads them from its entry in
 * `restorepoint_trail.change` and converts them with jsonb_populate_record to the table's own
 * row type, so they round-trip exactly (no JavaScript numbers, no client time zone) and are the
 * very values the sealed chain vouches for. Each statement also checks that the row still holds
 * what the undone entry left there (all columns for a delete, the changed ones for an update),
 * comparing to_jsonb renderings so types without an equality operator work too.
 */
export function renderInverseSql(plan: InversePlan, options: RenderOptions = {}): RenderedInverse {
  return {
    setup: options.keepUserTriggers ? [] : ['set local session_replication_role = replica'],
    statements: plan.operations.map((operation) => ({
      sql: statementFor(operation),
      params: [operation.undoes.xid, operation.undoes.seq],
      expectedRows: 1,
      undoes: operation.undoes,
    })),
  };
}

const ENTRY_CTE = 'with e as (select c.old_row, c.new_row from restorepoint_trail.change c where c.xid = $1::xid8 and c.seq = $2::bigint)';

function statementFor(operation: InverseOperation): string {
  const table = qualifiedName(operation.schema, operation.table);
  const rowOf = (image: 'old_row' | 'new_row', alias: string) => `pg_catalog.jsonb_populate_record(null::${table}, e.${image}) ${alias}`;
  const list = (alias: string, columns: readonly string[]) => columns.map((c) => `${alias}.${quoteIdent(c)}`).join(', ');
  switch (operation.kind) {
    case 'insert':
      return `${ENTRY_CTE}
insert into ${table} (${columns(operation.columns)}) overriding system value
select ${list('r', operation.columns)} from e, ${rowOf('old_row', 'r')}`;
    case 'delete':
      return `${ENTRY_CTE}
delete from ${table} t using e, ${rowOf('new_row', 'r')}
 where (${list('t', operation.keyColumns)}) = (${list('r', operation.keyColumns)})
   and pg_catalog.to_jsonb(t) = pg_catalog.to_jsonb(r)`;
    case 'update':
      return `${ENTRY_CTE}
update ${table} t set (${columns(operation.columns)}) = row(${list('o', operation.columns)})
  from e, ${rowOf('old_row', 'o')}, ${rowOf('new_row', 'n')}
 where (${list('t', operation.keyColumns)}) = (${list('n', operation.keyColumns)})
   and pg_catalog.to_jsonb(row(${list('t', operation.guardColumns)})) = pg_catalog.to_jsonb(row(${list('n', operation.guardColumns)}))`;
  }
}

function columns(names: readonly string[]): string {
  return names.map(quoteIdent).join(', ');
}
