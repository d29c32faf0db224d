import type pg from 'pg';
import { asTypedDatabaseError, isRestorepointError, RestorepointError } from '../../core/errors';
import { rowPredicateProblem } from '../../core/rollback/row-predicate';
import { quoteIdent } from '../../postgres/queryable';
import { label, tableSql, type ScopeTable } from './scope-table';

/** Parsing and planning a predicate is quick; anything slower is not a predicate we want. */
const CHECK_TIMEOUT = '10s';

/**
 * Operator SQL goes to PostgreSQL only through here, and only as one statement: the
 * extended protocol refuses a second one (beside the text check that already refused ";").
 */
const oneStatement = (text: string): pg.QueryConfig & { readonly queryMode: 'extended' } => ({ text, queryMode: 'extended' });

/** Plan nodes a filter over one table may produce; every other node comes from a subquery or a join. */
const FILTER_NODES = new Set(['Limit', 'Result', 'Append', 'Merge Append', 'Gather', 'Gather Merge', 'Bitmap Index Scan', 'BitmapAnd', 'BitmapOr']);

interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Relation Name'?: string;
  readonly Schema?: string;
  readonly 'Parent Relationship'?: string;
  readonly 'Subplan Name'?: string;
  readonly Plans?: readonly PlanNode[];
}

/** The relation a predicate is evaluated against, aliased as the table so `film.rating` works on both sides. */
const filtered = (relation: string, t: ScopeTable, where: string) => `from ${relation} as ${quoteIdent(t.name)} where (${where})`;

/**
 * Proves a table's row predicate is one boolean expression over that table's own columns,
 * against live data and before anything is created: the text checks, then, in a READ ONLY
 * transaction with a statement timeout, `select 1 … where (<predicate>) limit 0` (parse,
 * names, types: nothing is read) and its plan, which must scan this table alone — no
 * subquery, no other relation. Any refusal is ROLLBACK_SCOPE_INVALID naming the table.
 */
export async function checkRowPredicate(db: pg.ClientBase, t: ScopeTable, where: string): Promise<void> {
  const problem = rowPredicateProblem(where);
  if (problem !== null) throw refused(t, where, problem);
  const probe = `select 1 ${filtered(tableSql(t, '').liveFrom, t, where)}`;
  await db.query('begin transaction read only');
  try {
    await db.query(`set local statement_timeout = '${CHECK_TIMEOUT}'`);
    await db.query(oneStatement(`${probe} limit 0`));
    const { rows } = await db.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(oneStatement(`explain (verbose, format json) ${probe}`));
    const own = await db.query<{ name: string }>(
      // The table itself, and its partitions when it is partitioned (pg_partition_tree lists nothing for a plain table).
      "select n.nspname || '.' || c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = to_regclass($1) or c.oid in (select relid from pg_partition_tree(to_regclass($1)))",
      [`${quoteIdent(t.schema)}.${quoteIdent(t.name)}`],
    );
    const stranger = foreignNode(rows[0]!['QUERY PLAN'][0].Plan, new Set(own.rows.map((r) => r.name)));
    if (stranger !== null) throw refused(t, where, `it must use only the columns of ${label(t)}, but its plan has ${stranger}`);
  } catch (error) {
    if (isRestorepointError(error)) throw error;
    throw asTypedDatabaseError(error, 'ROLLBACK_SCOPE_INVALID', `the database refuses the row predicate for ${label(t)} (${where})`);
  } finally {
    await db.query('rollback').catch(() => undefined);
  }
}

/** The first plan node that is not a scan of the table (or its partitions) nor plain filter plumbing. */
function foreignNode(node: PlanNode, own: ReadonlySet<string>): string | null {
  if (node['Subplan Name'] !== undefined || node['Parent Relationship'] === 'SubPlan' || node['Parent Relationship'] === 'InitPlan') return 'a subquery';
  if (node['Relation Name'] !== undefined) {
    const name = `${node.Schema}.${node['Relation Name']}`;
    if (!own.has(name)) return `a scan of ${name}`;
  } else if (!FILTER_NODES.has(node['Node Type'])) {
    return `a ${node['Node Type']} node (a subquery or join)`;
  }
  for (const child of node.Plans ?? []) {
    const found = foreignNode(child, own);
    if (found !== null) return found;
  }
  return null;
}

/**
 * Fills the table's (empty) keys table with the primary keys of the rows the predicate picks
 * in the staged target OR in live data, and returns how many. The predicate is evaluated in a
 * READ ONLY transaction, into a temporary table (the one kind of write such a transaction
 * allows); only then are the keys copied into the staging schema.
 */
export async function stageMatchingKeys(db: pg.ClientBase, t: ScopeTable, where: string, stagingSchema: string): Promise<number> {
  const q = tableSql(t, stagingSchema);
  const picked = 'pg_temp.rp_where_keys';
  await db.query(`drop table if exists ${picked}`);
  await db.query(`create temporary table ${picked} as select * from ${t.keysTable} limit 0`);
  try {
    await db.query('begin transaction isolation level repeatable read read only');
    await db.query(oneStatement(`insert into ${picked} select ${q.keyColumns} ${filtered(q.stage, t, where)} union select ${q.keyColumns} ${filtered(q.liveFrom, t, where)}`));
    await db.query('commit');
  } catch (error) {
    await db.query('rollback').catch(() => undefined);
    throw asTypedDatabaseError(error, 'ROLLBACK_SCOPE_INVALID', `the row predicate for ${label(t)} (${where}) failed while picking rows`);
  }
  const inserted = await db.query(`insert into ${t.keysTable} select * from ${picked}`);
  await db.query(`drop table ${picked}`);
  return inserted.rowCount ?? 0;
}

function refused(t: ScopeTable, where: string, why: string): RestorepointError {
  return new RestorepointError('ROLLBACK_SCOPE_INVALID', `the row predicate for ${label(t)} (${where}) is refused: ${why}; nothing was changed`, { table: label(t), where });
}
