import type pg from 'pg';
import { RestorepointError } from '../../core/errors';
import type { ManifestTable } from '../../core/manifest';
import { qualifiedName, quoteIdent } from '../../postgres/queryable';
import { scratchTableName } from '../../postgres/scratch-names';
import type { ObjectCipher } from '../../crypto/object-cipher';
import type { ObjectStore } from '../../storage/object-store';
import { sha256Hex } from '../../streams/sha256';
import { isTrailCaptureDdl } from '../../trail/dump-filter';
import { unknownColumnTypes } from './unknown-types';

export type RestoreMode = 'empty-database' | 'existing-tables' | 'schema';

/**
 * Decides how rows will land: into a schema of our own (scratch or staging copies), into
 * tables that exist and are empty, or into an empty database built from the stored DDL.
 * Tables that exist and hold rows are refused: a restore never merges into live data.
 */
export async function chooseMode(client: pg.ClientBase, tables: readonly ManifestTable[], targetSchema: string | undefined): Promise<RestoreMode> {
  if (targetSchema) return 'schema';
  const existing: string[] = [];
  for (const t of tables) {
    const found = await client.query<{ oid: string | null }>('select to_regclass($1)::text as oid', [qualifiedName(t.schema, t.name)]);
    if (found.rows[0]?.oid) existing.push(`${t.schema}.${t.name}`);
  }
  if (existing.length === 0) return 'empty-database';
  if (existing.length < tables.length) {
    throw new RestorepointError('TARGET_NOT_EMPTY', `the target has some of the tables (${existing.join(', ')}) but not all; restore into an empty database or a new schema`);
  }
  for (const t of tables) {
    const rows = await client.query(`select 1 from ${qualifiedName(t.schema, t.name)} limit 1`);
    if (rows.rowCount) throw new RestorepointError('TARGET_NOT_EMPTY', `${t.schema}.${t.name} already holds rows; restore into an empty table, database or a new schema`, { table: `${t.schema}.${t.name}` });
  }
  return 'existing-tables';
}

/**
 * Plain tables with the exported columns and primary key, for a scratch or staging copy (named
 * by scratchTableName). A column whose type the target does not know (a source's own domain or
 * enum, in a scratch database other than the source) is made `text`: it then holds the text the
 * source printed, which COPY prints back unchanged, so a CSV fingerprint still compares.
 */
export async function createScratchTables(client: pg.ClientBase, schema: string, tables: readonly ManifestTable[]): Promise<void> {
  await client.query(`create schema if not exists ${quoteIdent(schema)}`);
  const unknown = await unknownColumnTypes(client, tables);
  for (const t of tables) {
    const columns = t.columns.filter((c) => c.generated === null).map((c) => `${quoteIdent(c.name)} ${unknown.has(c.type) ? 'text' : c.type}${c.nullable ? '' : ' not null'}`);
    if (t.primaryKey.length > 0) columns.push(`primary key (${t.primaryKey.map(quoteIdent).join(', ')})`);
    await client.query(`create table ${qualifiedName(schema, scratchTableName(t, tables))} (${columns.join(', ')})`);
  }
}

/**
 * Runs a stored pg_dump section after checking it against the manifest. psql's
 * meta-commands (pg_dump writes `\restrict` guards) are not SQL and are dropped.
 */
export async function applyStoredDdl(client: pg.ClientBase, store: ObjectStore, file: { key: string; sha256: string }, cipher?: ObjectCipher): Promise<void> {
  const stored = await store.getBytes(file.key);
  const actual = sha256Hex(stored);
  if (actual !== file.sha256) throw new RestorepointError('CHECKSUM_MISMATCH', `${file.key}: sha256 mismatch (expected ${file.sha256}, found ${actual})`, { key: file.key });
  const bytes = cipher ? cipher.open(file.key, stored) : stored;
  const sql = bytes
    .toString('utf8')
    .split('\n')
    .filter((line) => !line.startsWith('\\'))
    // A tracked source's capture triggers call functions the target does not have (trail/dump-filter.ts).
    .filter((line) => !isTrailCaptureDdl(line))
    // A fresh database already has schema public; pg_dump -n public creates it anyway.
    .map((line) => line.replace(/^CREATE SCHEMA (?!IF NOT EXISTS)/, 'CREATE SCHEMA IF NOT EXISTS '))
    .join('\n');
  await client.query(sql);
  // pg_dump's preamble empties search_path for the session; give it back.
  await client.query('reset search_path');
}

/**
 * The stored DDL creates materialized views empty (`WITH NO DATA`, as pg_dump's schema-only
 * dump does); those populated at export are refreshed once their tables hold the restored
 * rows, in creation order (one built on another comes after it), as pg_restore does.
 */
export async function refreshMaterializedViews(client: pg.ClientBase, views: readonly { schema: string; name: string; populated: boolean }[]): Promise<void> {
  for (const view of views) if (view.populated) await client.query(`refresh materialized view ${qualifiedName(view.schema, view.name)}`);
}
