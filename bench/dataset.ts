import { execFileSync } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { PAGILA_DIR } from '../fixtures';
import { postgresClient } from '../stack/tools';
import { withDatabase } from '../stack/urls';

/** Bump when the generator changes, so an older dataset is rebuilt rather than reused. */
const DATASET_VERSION = 1;

export const BENCH_TABLE = 'bench_rows';
/** An equal copy of BENCH_TABLE: the second stream of the parallel export. */
export const TWIN_TABLE = 'bench_rows_b';
/** A fifth of BENCH_TABLE: peak worker RSS at a second size. */
export const SMALL_TABLE = 'bench_small';
export const ONE_ROW_TABLE = 'bench_one';

export interface BenchDatabases {
  readonly source: string;
  readonly pagila: string;
  /** Holds an empty BENCH_TABLE (same definition) for the restores into an empty table. */
  readonly target: string;
  /** An empty database for pg_restore, which creates its table itself. */
  readonly pgRestore: string;
  /** An empty database for restorepoint's restore from its stored DDL (recreated before each run). */
  readonly emptyDatabase: string;
  /** Empty databases for Pagila's pg_restore and restorepoint restore (recreated before each run). */
  readonly pagilaPgRestore: string;
  readonly pagilaEmpty: string;
  readonly catalog: string;
}

const TABLE_DDL = (name: string) => `create table ${name} (
  id bigint primary key,
  customer text not null,
  quantity int not null,
  amount numeric(12,2) not null,
  created_at timestamptz not null,
  active boolean not null,
  attributes jsonb not null)`;

/**
 * Deterministic rows of the shape the issue asks for (bigint, ~20-char text, int,
 * numeric(12,2), timestamptz, boolean, ~60-byte jsonb; ~150 bytes a row as CSV), made
 * by the server itself with generate_series, which is much faster than sending them.
 */
const FILL = (name: string, rows: number) => `insert into ${name}
  select g,
         'customer ' || substr(md5(g::text), 1, 11),
         ((g * 7919) % 100000)::int,
         ((g * 104729) % 10000000) / 100.0,
         timestamptz '2024-01-01 00:00:00+00' + g * interval '17 seconds',
         g % 3 <> 0,
         jsonb_build_object('tier', (array['free', 'pro', 'team', 'enterprise'])[1 + g % 4], 'score', g % 997,
                            'tags', jsonb_build_array('t' || g % 13, 't' || g % 7))
  from generate_series(1::bigint, ${rows}) g`;

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function databaseExists(adminUrl: string, name: string): Promise<boolean> {
  return withClient(adminUrl, async (c) => ((await c.query('select 1 from pg_database where datname = $1', [name])).rowCount ?? 0) > 0);
}

async function recreateDatabase(adminUrl: string, name: string): Promise<string> {
  await withClient(adminUrl, async (c) => {
    await c.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
    await c.query(`create database ${pg.escapeIdentifier(name)}`);
  });
  return withDatabase(adminUrl, name);
}

async function sourceIsCurrent(url: string, rows: number): Promise<boolean> {
  return withClient(url, async (c) => {
    const meta = await c.query<{ rows: string; version: number }>('select rows::text, version from bench_meta').catch(() => undefined);
    return meta?.rows[0]?.rows === String(rows) && meta.rows[0].version === DATASET_VERSION;
  });
}

/** Creates (or reuses, when it already has `rows` rows) every database the benchmark uses. */
export async function prepareDatabases(adminUrl: string, rows: number, log: (line: string) => void): Promise<BenchDatabases> {
  // A benchmark of its own beside another (several sessions share one stack) takes other names: every run recreates its databases.
  const prefix = process.env.RESTOREPOINT_BENCH_DATABASES ?? 'restorepoint_bench';
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(prefix)) throw new Error(`RESTOREPOINT_BENCH_DATABASES must be a lower-case identifier of at most 41 characters, not ${prefix}`);
  const name = (suffix: string) => `${prefix}_${suffix}`;
  let source = withDatabase(adminUrl, name('source'));
  if (!(await databaseExists(adminUrl, name('source'))) || !(await sourceIsCurrent(source, rows))) {
    log(`generating ${rows.toLocaleString('en')} rows (twice) and ${Math.ceil(rows / 5).toLocaleString('en')} more with generate_series`);
    source = await recreateDatabase(adminUrl, name('source'));
    await withClient(source, async (c) => {
      for (const [table, count] of [[BENCH_TABLE, rows], [SMALL_TABLE, Math.ceil(rows / 5)], [ONE_ROW_TABLE, 1]] as const) {
        await c.query(TABLE_DDL(table));
        await c.query(FILL(table, count));
      }
      await c.query(`create table ${TWIN_TABLE} (like ${BENCH_TABLE} including all)`);
      await c.query(`insert into ${TWIN_TABLE} select * from ${BENCH_TABLE}`);
      // Set hint bits and the visibility map now, so no contender pays for them on its first read.
      await c.query('vacuum (freeze, analyze)');
      await c.query('checkpoint');
      // Created last: its presence means the data above is complete.
      await c.query('create table bench_meta (rows bigint not null, version int not null)');
      await c.query('insert into bench_meta values ($1, $2)', [rows, DATASET_VERSION]);
    });
  }

  let pagila = withDatabase(adminUrl, name('pagila'));
  const pagilaReady = (await databaseExists(adminUrl, name('pagila'))) && (await withClient(pagila, async (c) => Boolean((await c.query("select to_regclass('bench_marker.loaded') as t")).rows[0]?.t)));
  if (!pagilaReady) {
    log('loading Pagila');
    pagila = await recreateDatabase(adminUrl, name('pagila'));
    for (const file of ['pagila-schema.sql', 'pagila-data.sql']) {
      execFileSync(postgresClient('psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', pagila, '-f', path.join(PAGILA_DIR, file)], { stdio: ['ignore', 'ignore', 'pipe'] });
    }
    // The marker lives in a schema of its own: exports and dumps of Pagila's `public` skip it.
    await withClient(pagila, async (c) => {
      await c.query('vacuum analyze');
      await c.query('create schema bench_marker');
      await c.query('create table bench_marker.loaded (at timestamptz default now())');
    });
  }

  const target = await recreateDatabase(adminUrl, name('target'));
  await withClient(target, (c) => c.query(TABLE_DDL(BENCH_TABLE)));
  const pgRestore = await recreateDatabase(adminUrl, name('pg_restore'));
  const emptyDatabase = await recreateDatabase(adminUrl, name('empty_db'));
  const pagilaPgRestore = await recreateDatabase(adminUrl, name('pagila_pg_restore'));
  const pagilaEmpty = await recreateDatabase(adminUrl, name('pagila_empty'));
  const catalog = await recreateDatabase(adminUrl, name('catalog'));
  return { source, pagila, target, pgRestore, emptyDatabase, pagilaPgRestore, pagilaEmpty, catalog };
}

/** Empties the target table between restores (not timed). */
export async function emptyTarget(databases: BenchDatabases): Promise<void> {
  await withClient(databases.target, (c) => c.query(`truncate ${BENCH_TABLE}`));
}

/** Drops what pg_restore created, so the next pg_restore starts from an empty database. */
export async function emptyPgRestoreTarget(databases: BenchDatabases): Promise<void> {
  await withClient(databases.pgRestore, (c) => c.query(`drop table if exists ${BENCH_TABLE}`));
}

/** A new, empty database in place of `databaseUrl`'s, for a restore into an empty database (not timed). */
export async function recreateEmptyDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = url.pathname.slice(1);
  url.pathname = '/postgres';
  await recreateDatabase(url.toString(), name);
}

/** Rows in the target table: a restore that loaded nothing must not pass as fast. */
export async function targetRows(url: string): Promise<number> {
  return withClient(url, async (c) => Number((await c.query<{ n: string }>(`select count(*)::text as n from ${BENCH_TABLE}`)).rows[0]!.n));
}

export { withClient };
