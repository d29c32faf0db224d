import type { Knex } from 'knex';
import { loadConfig } from '../../config/load';
import type { Config } from '../../config/schema';
import { migrateCatalog, openCatalog } from '../../catalog/catalog-db';
import { connectClient, type RestorepointClient } from '../connect';

/** Runs `work` with a Temporal client from config, closing it afterwards. */
export async function withClient<T>(work: (client: RestorepointClient, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const client = await connectClient(config);
  try {
    return await work(client, config);
  } finally {
    await client.close();
  }
}

/** Runs `work` with the (migrated) catalog from config. */
export async function withCatalogDb<T>(work: (db: Knex, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const db = openCatalog(config.catalog.url);
  try {
    await migrateCatalog(db);
    return await work(db, config);
  } finally {
    await db.destroy();
  }
}
