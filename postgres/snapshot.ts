import pg from 'pg';
import { openConnection } from './connect';
import { qualifiedName } from './queryable';
import { applyExportSessionSettings } from './session-settings';

export interface SharedSnapshot {
  /** pg_export_snapshot()'s id: other sessions join it while the leader's transaction stays open. */
  readonly id: string;
  /** pg_current_snapshot() as text (xmin:xmax:xip), recorded in the manifest. */
  readonly txidSnapshot: string;
  readonly lsn: string | null;
  readonly takenAt: string;
}

/**
 * Opens the leader transaction whose snapshot every table of one export reads, so the
 * export shows the database at one instant. The leader must stay open until every reader
 * has joined and finished; `close()` ends it.
 */
export async function openSharedSnapshot(url: string): Promise<{ snapshot: SharedSnapshot; leader: pg.Client; close: () => Promise<void> }> {
  const leader = await openConnection(url, 'restorepoint-snapshot');
  try {
    await leader.query('begin isolation level repeatable read read only');
    const { rows } = await leader.query<{ id: string; txid: string; lsn: string | null; at: Date }>(
      `select pg_export_snapshot() as id, pg_current_snapshot()::text as txid,
              case when pg_is_in_recovery() then pg_last_wal_replay_lsn()::text else pg_current_wal_lsn()::text end as lsn,
              now() as at`,
    );
    const row = rows[0]!;
    return {
      snapshot: { id: row.id, txidSnapshot: row.txid, lsn: row.lsn, takenAt: row.at.toISOString() },
      leader,
      close: () => leader.end(),
    };
  } catch (error) {
    await leader.end().catch(() => undefined);
    throw error;
  }
}

/**
 * Takes ACCESS SHARE locks on the exported tables in the leader's transaction, as pg_dump
 * does: DDL that would rewrite or drop a table waits until the export is done.
 */
export async function lockTables(leader: pg.Client, tables: readonly { schema: string; name: string }[]): Promise<void> {
  for (const table of tables) await leader.query(`lock table ${qualifiedName(table.schema, table.name)} in access share mode`);
}

/**
 * Starts a reader transaction on `client` that sees exactly the shared snapshot. Synchronized
 * seq scans are turned off so that the same snapshot always yields rows in the same order,
 * which is what lets a retried table resume after its last finished part. Values print
 * under EXPORT_SESSION_SETTINGS.
 */
export async function joinSharedSnapshot(client: pg.ClientBase, snapshotId: string): Promise<void> {
  await client.query('set synchronize_seqscans = off');
  await applyExportSessionSettings(client);
  await client.query('begin isolation level repeatable read read only');
  await client.query(`set transaction snapshot ${pg.escapeLiteral(snapshotId)}`);
}
