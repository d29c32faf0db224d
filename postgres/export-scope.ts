import { RestorepointError } from '../core/errors';
import type { ExportFormat } from '../core/export-input';
import { isPartialScope } from '../core/export-scope';
import { patternMatcher, selectTables } from '../core/table-patterns';
import { listTables, type TableRef } from './introspect';
import type { Queryable } from './queryable';

/** What an export request resolves to in one database, before any work starts. */
export interface ResolvedScope {
  /** Every schema whose tables, sequences and DDL are exported. */
  readonly schemas: readonly string[];
  readonly tables: readonly TableRef[];
  /** Narrowed by `--schemas`, `--tables` or `--exclude`. */
  readonly partial: boolean;
  /** Extensions whose `CREATE EXTENSION` travels with a narrowed export's DDL (a whole-database dump has them all). */
  readonly extensions: readonly string[];
}

interface ScopeInput {
  readonly schemas: readonly string[];
  readonly tables: readonly string[];
  readonly exclude: readonly string[];
  readonly format: ExportFormat;
}

/**
 * The non-system schemas of the database, as pg_dump sees them: not `pg_*`, not
 * `information_schema`, not restorepoint's own `restorepoint_*`, and not a schema an
 * extension created (its objects come back with `CREATE EXTENSION`).
 */
export async function listExportableSchemas(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `select n.nspname as name from pg_namespace n
      where n.nspname !~ '^pg_' and n.nspname <> 'information_schema' and n.nspname !~ '^restorepoint_'
        and not exists (select 1 from pg_depend d where d.classid = 'pg_namespace'::regclass and d.objid = n.oid and d.deptype = 'e')
      order by 1`,
  );
  return rows.map((r) => r.name);
}

/**
 * Resolves and checks an export's scope, throwing a typed error that names the problem
 * before anything is written: a schema that does not exist, a pattern that matches no table,
 * a scope with no table, or an object restorepoint cannot export exactly (extension
 * configuration tables, zero-column tables as Parquet). Large objects are exported with a
 * whole-database export (activities/export/large-objects-export.ts).
 */
export async function resolveExportScope(db: Queryable, input: ScopeInput): Promise<ResolvedScope> {
  const partial = isPartialScope(input);
  const existing = await listExportableSchemas(db);
  const missing = input.schemas.filter((s) => !existing.includes(s));
  if (missing.length > 0) {
    throw new RestorepointError('TABLE_NOT_FOUND', `no schema ${missing.map((s) => `"${s}"`).join(', ')} in the source (its schemas: ${existing.map((s) => `"${s}"`).join(', ') || 'none'}); names are exact and case-sensitive`, { schemas: missing });
  }
  const schemas = input.schemas.length > 0 ? [...input.schemas] : existing;
  const listed = await listTables(db, schemas);
  const unmatched = input.tables.filter((pattern) => !listed.some(patternMatcher(pattern)));
  if (unmatched.length > 0) {
    throw new RestorepointError('TABLE_NOT_FOUND', `no table matches ${unmatched.map((p) => `"${p}"`).join(', ')} in schemas ${schemas.map((s) => `"${s}"`).join(', ')}; names are exact and case-sensitive`, { tables: unmatched });
  }
  const tables = selectTables(listed, input.tables, input.exclude);
  if (tables.length === 0 && partial) throw new RestorepointError('TABLE_NOT_FOUND', 'the export scope holds no table: nothing would be exported', { schemas });

  const extensions = await extensionsIn(db, schemas);
  await refuseUnsupported(db, { partial, schemas, tables, format: input.format, extensions: partial ? extensions : await extensionsIn(db, null) });
  return { schemas, tables, partial, extensions: partial ? extensions : [] };
}

/**
 * Extensions (plpgsql aside) installed in the schemas, or whose types, functions or operators
 * their tables, defaults and types use (a `citext` column of schema `app` with citext in
 * `public`): a narrowed export's DDL creates them, so it restores into an empty database.
 * `null`: every extension of the database.
 */
async function extensionsIn(db: Queryable, schemas: readonly string[] | null): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `with scoped as (select n.oid from pg_namespace n where $1::text[] is null or n.nspname = any($1)),
          rels as (select c.oid from pg_class c where c.relnamespace in (select oid from scoped)),
          users as (
            select 'pg_class'::regclass as classid, oid as objid from rels
            union all select 'pg_attrdef'::regclass, ad.oid from pg_attrdef ad where ad.adrelid in (select oid from rels)
            union all select 'pg_type'::regclass, t.oid from pg_type t where t.typnamespace in (select oid from scoped)),
          members as (
            select d.refobjid as extension, d.classid, d.objid from pg_depend d where d.refclassid = 'pg_extension'::regclass and d.deptype = 'e'
            union all select d.refobjid, 'pg_type'::regclass, t.oid from pg_depend d join pg_type t on t.typelem = d.objid
             where d.refclassid = 'pg_extension'::regclass and d.deptype = 'e' and d.classid = 'pg_type'::regclass)
     select e.extname as name from pg_extension e
      where e.extname <> 'plpgsql'
        and (e.extnamespace in (select oid from scoped)
             or exists (select 1 from pg_depend d join users u on u.classid = d.classid and u.objid = d.objid
                          join members m on m.extension = e.oid and m.classid = d.refclassid and m.objid = d.refobjid))
      order by 1`,
    [schemas],
  );
  return rows.map((r) => r.name);
}

async function refuseUnsupported(
  db: Queryable,
  scope: { partial: boolean; schemas: readonly string[]; tables: readonly TableRef[]; format: ExportFormat; extensions: readonly string[] },
): Promise<void> {
  const problems: string[] = [];
  if (scope.extensions.length > 0) {
    const { rows } = await db.query<{ name: string; tables: string }>(
      `select e.extname as name, string_agg(c.oid::regclass::text, ', ') as tables
         from pg_extension e cross join lateral unnest(e.extconfig) as x(oid) join pg_class c on c.oid = x.oid
        where e.extname = any($1) group by e.extname order by 1`,
      [scope.extensions],
    );
    for (const r of rows) problems.push(`extension ${r.name} has configuration tables (${r.tables}) whose rows restorepoint does not export`);
  }
  if (scope.format === 'parquet' && scope.tables.length > 0) {
    const { rows } = await db.query<{ schema: string; name: string }>(
      `select n.nspname as schema, c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where (n.nspname, c.relname) in (select * from unnest($1::text[], $2::text[]))
          and not exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = '')
        order by 1, 2`,
      [scope.tables.map((t) => t.schema), scope.tables.map((t) => t.name)],
    );
    for (const r of rows) problems.push(`table "${r.schema}"."${r.name}" has no stored columns, which Parquet cannot hold; export it as csv or jsonl, or --exclude it`);
  }
  if (problems.length > 0) {
    throw new RestorepointError('EXPORT_UNSUPPORTED', `nothing was exported: ${problems.join('; ')}`, { problems });
  }
}
