import fs from 'node:fs';
import path from 'node:path';
import knex, { type Knex } from 'knex';

/** Any advisory lock key restorepoint takes is an ASCII tag read as a bigint: this one is 'rp-migrt'. */
const MIGRATION_LOCK_KEY = '8246140865658450548';

/**
 * Opens the catalog database (the config key `catalog.url`). The pool starts empty so an idle
 * CLI holds no connections; the caller owns the handle and must `destroy()` it.
 */
export function openCatalog(url: string): Knex {
  return knex({
    client: 'pg',
    connection: { connectionString: url, application_name: 'restorepoint' },
    pool: { min: 0, max: 10 },
  });
}

const MIGRATIONS = path.join(__dirname, 'migrations');

/**
 * The migrations by their source name (`….ts`), whether this runs from TypeScript (tsx) or from
 * the built JavaScript in dist/: knex records names with their extension, so a catalog migrated
 * by one must look current to the other.
 */
const migrationSource: Knex.MigrationSource<string> = {
  async getMigrations() {
    return fs.readdirSync(MIGRATIONS).filter((file) => /\.(ts|js)$/.test(file) && !file.endsWith('.d.ts')).sort();
  },
  getMigrationName: (file) => file.replace(/\.js$/, '.ts'),
  getMigration: async (file) => require(path.join(MIGRATIONS, file)) as Knex.Migration,
};

export interface MigrationReport {
  /** File names of the migrations this call applied; empty when the catalog was current. */
  readonly applied: readonly string[];
}

/**
 * Brings the catalog schema up to date; harmless when it already is.
 *
 * Knex's own migration lock makes a second concurrent migrator fail rather than wait, and two
 * first-time migrators race to create `knex_migrations`. A worker and a CLI starting together
 * would trip over that, so callers queue on an advisory lock instead. The lock is held by a
 * transaction on one pooled connection while knex migrates on another: the pool needs at least
 * two connections (`openCatalog` gives ten).
 */
export async function migrateCatalog(db: Knex): Promise<MigrationReport> {
  return db.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(?::bigint)', [MIGRATION_LOCK_KEY]);
    const [, applied] = (await db.migrate.latest({ migrationSource })) as [number, string[]];
    return { applied };
  });
}

/** Opens the catalog, migrates it, runs `work`, and always closes the pool. */
export async function withCatalog<T>(url: string, work: (db: Knex, migration: MigrationReport) => Promise<T>): Promise<T> {
  const db = openCatalog(url);
  try {
    return await work(db, await migrateCatalog(db));
  } finally {
    await db.destroy();
  }
}
