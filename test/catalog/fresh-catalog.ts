import type { Knex } from 'knex';
import { migrateCatalog, openCatalog } from '../../catalog/catalog-db';
import { scratchDatabase } from '../support/stack';

export interface FreshCatalog {
  readonly url: string;
  readonly db: Knex;
  /** Closes the pool and drops the database. */
  close(): Promise<void>;
}

/** A new, migrated catalog database of its own for one test file. */
export async function freshCatalog(): Promise<FreshCatalog> {
  const scratch = await scratchDatabase('catalog');
  const db = openCatalog(scratch.url);
  await migrateCatalog(db);
  return {
    url: scratch.url,
    db,
    close: async () => {
      await db.destroy();
      await scratch.drop();
    },
  };
}
