import { quoteIdent, qualifiedName, type Queryable } from './queryable';
import type { DumpScope } from './schema-dump';

/**
 * Asks the database, through node-postgres, for what pg_dump's schema dump of `scope` is about
 * to need, so that a refusal arrives as a database error with its SQLSTATE and is typed by the
 * one classifier (core/errors.ts `classifyFailure`) instead of from pg_dump's stderr text:
 * - each named schema exists (`"name"::regnamespace`: 3F000, SCHEMA_NOT_FOUND, naming it);
 * - every table pg_dump will lock (plain and partitioned tables of the scope's schemas, not an
 *   extension's) can be locked ACCESS SHARE, as pg_dump does: 42501 PERMISSION_DENIED, naming
 *   the table or schema.
 * `db` must be inside a transaction (the export's snapshot leader, the probe's). The locks are
 * taken in a savepoint that is rolled back, so the transaction holds only what it held before.
 */
export async function checkSchemaDumpable(db: Queryable, scope: DumpScope): Promise<void> {
  await db.query('savepoint restorepoint_dump_preflight');
  try {
    if (scope.partial) for (const schema of scope.schemas) await db.query('select $1::regnamespace', [quoteIdent(schema)]);
    const { rows } = await db.query<{ schema: string; name: string }>(
      `select n.nspname as schema, c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p')
          and (case when $1 then n.nspname = any($2::text[])
                    else n.nspname !~ '^pg_' and n.nspname <> 'information_schema' and n.nspname !~ '^restorepoint_' end)
          and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
        order by 1, 2`,
      [scope.partial, scope.schemas],
    );
    if (rows.length > 0) await db.query(`lock table ${rows.map((r) => qualifiedName(r.schema, r.name)).join(', ')} in access share mode`);
  } catch (error) {
    // The refusal is what the caller must see, not a failure to roll back after it.
    await db.query('rollback to savepoint restorepoint_dump_preflight').catch(() => undefined);
    throw error;
  }
  await db.query('rollback to savepoint restorepoint_dump_preflight');
}
