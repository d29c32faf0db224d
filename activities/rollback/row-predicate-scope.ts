import type pg from 'pg';
import { isRestorepointError, isRetryableSqlState, RestorepointError } from '../../core/errors';
import { predicateProblem } from '../../postgres/predicate-allowlist';
import { asPredicateRole, predicateRole } from '../../postgres/predicate-role';
import { qualifiedName, quoteIdent } from '../../postgres/queryable';
import { label, tableSql, type ScopeTable } from './scope-table';

/** Parsing and planning a predicate is quick; anything slower is not a predicate we want. */
const CHECK_TIMEOUT = '10s';
/** Picking rows scans the table and its staged copy once each; a predicate slower than this is refused. */
const PICK_TIMEOUT = '30min';

/**
 * Operator SQL goes to PostgreSQL only through here, and only as one statement: the
 * extended protocol refuses a second one (beside the parser check that already refused it).
 */
const oneStatement = (text: string): pg.QueryConfig & { readonly queryMode: 'extended' } => ({ text, queryMode: 'extended' });

/** The relation a predicate is evaluated against, aliased as the table so `film.rating` works on both sides. */
const filtered = (relation: string, t: ScopeTable, where: string) => `from ${relation} as ${quoteIdent(t.name)} where (${where})`;

/**
 * The first wall, before any query: PostgreSQL's parser reads the predicate and only an
 * allowlisted expression over the table's own columns passes (postgres/predicate-allowlist.ts).
 * Anything else is ROLLBACK_SCOPE_INVALID naming the table and what was refused.
 */
export async function requireAllowedPredicate(t: ScopeTable, where: string): Promise<void> {
  const problem = await predicateProblem(where, t.name);
  if (problem !== null) throw refused(t, where, problem);
}

/**
 * Proves against live data, before anything is created, that an allowed predicate is a
 * boolean over this table's columns (and that the table has no row-level security): `select 1 … where (<predicate>) limit 0` (parse, names,
 * types: no row is read) as the table's predicate role, read only, with a statement timeout.
 */
export async function checkRowPredicate(db: pg.ClientBase, t: ScopeTable, where: string): Promise<void> {
  await requireAllowedPredicate(t, where);
  const { rows } = await db.query<{ rls: boolean }>('select relrowsecurity as rls from pg_class where oid = to_regclass($1)', [qualifiedName(t.schema, t.name)]);
  // Policies would show the predicate role only some rows (often none): the scope would silently shrink.
  if (rows[0]?.rls === true) throw refused(t, where, 'the table has row-level security, under which the role a predicate runs as would see only the rows its policies allow; narrow it by keys instead');
  const role = await predicateRole(db, t);
  try {
    await asPredicateRole(db, role, { timeout: CHECK_TIMEOUT }, () => db.query(oneStatement(`select 1 ${filtered(tableSql(t, '').liveFrom, t, where)} limit 0`)));
  } catch (error) {
    throw predicateFailure(error, t, where, 'is refused by the database');
  }
}

/**
 * Fills the table's (empty) keys table with the primary keys of the rows the predicate picks
 * in the staged target OR in live data, and returns how many. The predicate is evaluated as
 * the table's predicate role (which may read the live table and its staged copy, and insert
 * into one temporary table) in a READ ONLY transaction; only then, with the connection's own
 * rights again, are the keys copied into the staging schema.
 */
export async function stageMatchingKeys(db: pg.ClientBase, t: ScopeTable, where: string, stagingSchema: string): Promise<number> {
  await requireAllowedPredicate(t, where);
  const q = tableSql(t, stagingSchema);
  const role = await predicateRole(db, t, [{ schema: stagingSchema, name: t.name }]);
  const picked = 'pg_temp.rp_where_keys';
  await db.query(`drop table if exists ${picked}`);
  await db.query(`create temporary table ${picked} as select * from ${t.keysTable} limit 0`);
  await db.query(`grant insert on ${picked} to ${quoteIdent(role)}`);
  try {
    await asPredicateRole(db, role, { timeout: PICK_TIMEOUT, isolation: 'repeatable read' }, () =>
      db.query(oneStatement(`insert into ${picked} select ${q.keyColumns} ${filtered(q.stage, t, where)} union select ${q.keyColumns} ${filtered(q.liveFrom, t, where)}`)),
    );
  } catch (error) {
    throw predicateFailure(error, t, where, 'failed while picking rows');
  }
  const inserted = await db.query(`insert into ${t.keysTable} select * from ${picked}`);
  await db.query(`drop table ${picked}`);
  return inserted.rowCount ?? 0;
}

/**
 * A failed evaluation as a typed error that carries no data the predicate read. Only the
 * messages of SQLSTATE class 42 (syntax, names, types, privileges: found while planning,
 * before any row) are shown; a runtime error (a failed cast, a division by zero) may quote a
 * row's value, so only its SQLSTATE is. A timeout is a refusal too: retrying cannot make the
 * predicate faster. Lost connections and other retryable faults pass through to be retried.
 */
function predicateFailure(error: unknown, t: ScopeTable, where: string, what: string): unknown {
  if (isRestorepointError(error)) return error;
  const sqlState = (error as { code?: unknown } | null)?.code;
  if (typeof sqlState !== 'string' || !/^[0-9A-Z]{5}$/.test(sqlState)) return error;
  if (sqlState === '57014') return refused(t, where, `it ran longer than the statement timeout or was cancelled (SQLSTATE ${sqlState})`, sqlState);
  if (isRetryableSqlState(sqlState)) return error;
  const shown = sqlState.startsWith('42') ? `${(error as Error).message} (SQLSTATE ${sqlState})` : `SQLSTATE ${sqlState} (the database's message is not shown: it may quote row data)`;
  return new RestorepointError('ROLLBACK_SCOPE_INVALID', `the row predicate for ${label(t)} (${where}) ${what}: ${shown}; nothing was changed`, { table: label(t), where, sqlState });
}

function refused(t: ScopeTable, where: string, why: string, sqlState?: string): RestorepointError {
  return new RestorepointError('ROLLBACK_SCOPE_INVALID', `the row predicate for ${label(t)} (${where}) is refused: ${why}; nothing was changed`, { table: label(t), where, ...(sqlState ? { sqlState } : {}) });
}
