import type { Queryable } from '../postgres/queryable';
import { INSTALL_TRAIL_SQL } from './install-sql';
import { inTransaction } from './transaction';

/** Advisory lock key for installing the trail, the ASCII tag 'rp-trins' read as a bigint. */
const INSTALL_LOCK_KEY = '8246140895874346611';

/**
 * Creates or updates the trail's schema, tables and functions in the source database; harmless
 * when they are current. Two installers at once queue on an advisory lock rather than racing on
 * `create table if not exists`. `client` must be one connection.
 */
export async function installTrail(client: Queryable): Promise<void> {
  await inTransaction(client, 'read committed', async () => {
    await client.query('select pg_advisory_xact_lock($1::bigint)', [INSTALL_LOCK_KEY]);
    await client.query(INSTALL_TRAIL_SQL);
  });
}

/** Whether the trail's tables exist in this database. */
export async function trailInstalled(client: Queryable): Promise<boolean> {
  const { rows } = await client.query<{ installed: boolean }>(
    `select to_regclass('restorepoint_trail.change') is not null and to_regclass('restorepoint_trail.seal') is not null as installed`,
  );
  return rows[0]?.installed === true;
}
