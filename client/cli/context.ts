import type { Knex } from 'knex';
import { loadConfig } from '../../config/load';
import type { Config } from '../../config/schema';
import { migrateCatalog, openCatalog } from '../../catalog/catalog-db';
import { RestorepointError } from '../../core/errors';
import { ANY_RESOURCE, permits, type Permission } from '../../identity/permissions';
import { defaultTokenSource } from '../../identity/token-store';
import { verifyToken } from '../../identity/verify-token';
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

/**
 * What a command reading the catalog directly needs: a permission on a resource, or on the
 * resource the catalog names for the object read (an export's or a rollback's source).
 */
export interface CatalogRead {
  readonly permission: Permission;
  readonly resource: string | ((db: Knex) => Promise<string>);
}

/** The source a catalog row names (`*` when there is no such row, so only a caller of every source learns that). */
export const sourceOfRow = (table: 'exports' | 'rollbacks', id: string) => async (db: Knex): Promise<string> =>
  ((await db(table).where({ id }).first('source')) as { source: string } | undefined)?.source ?? ANY_RESOURCE;

/**
 * Verifies the caller's token and checks `permission` on `resource` HERE, in the CLI, before a
 * command reads the catalog itself. This is a courtesy check, not a boundary: whoever holds the
 * catalog URL can read it without the CLI (docs/security.md, "Where it is enforced").
 */
export async function checkCatalogRead(config: Config, permission: Permission, resource: string): Promise<void> {
  const caller = await verifyToken(config.identity, await defaultTokenSource());
  if (!permits(caller.roles, permission, resource)) {
    throw new RestorepointError('PERMISSION_DENIED', `${caller.subject} holds no role permitting ${permission} on ${resource}`, { permission, resource });
  }
}

/** Runs `work` with the (migrated) catalog from config, for a caller verified to hold `read` (default catalog.read on every source). */
export async function withCatalogDb<T>(work: (db: Knex, config: Config) => Promise<T>, read: CatalogRead = { permission: 'catalog.read', resource: ANY_RESOURCE }): Promise<T> {
  const config = loadConfig();
  if (typeof read.resource === 'string') await checkCatalogRead(config, read.permission, read.resource);
  const db = openCatalog(config.catalog.url);
  try {
    await migrateCatalog(db);
    if (typeof read.resource !== 'string') await checkCatalogRead(config, read.permission, await read.resource(db));
    return await work(db, config);
  } finally {
    await db.destroy();
  }
}
