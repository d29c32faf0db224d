import type { JsonObject } from '../catalog/ledger';
import type { Queryable } from '../postgres/queryable';
import { upgradeForPruning } from './prune-point';
import { SEAL_LOCK_KEY, type TrailHead } from './seal-trail';
import { inTransaction } from './transaction';

/**
 * Removes every sealed entry up to and including `through` from the source database, through
 * the trail's one sanctioned path (`restorepoint_trail.prune_through`), which records `through`
 * and its hash as the start of the kept chain and `archive` (where the removed entries are
 * kept). Callers must have verified that archived copy first: see activities/point-in-time/prune.
 * Holds the sealers' lock, so no sealing reads the head while it moves. Returns how many
 * entries were removed.
 */
export async function pruneTrailThrough(client: Queryable, through: TrailHead, archive: JsonObject): Promise<number> {
  await upgradeForPruning(client);
  return inTransaction(client, 'read committed', async () => {
    await client.query('select pg_advisory_xact_lock($1::bigint)', [SEAL_LOCK_KEY]);
    const { rows } = await client.query<{ removed: string }>('select restorepoint_trail.prune_through($1, $2, $3)::text as removed', [
      through.position,
      through.hash,
      JSON.stringify(archive),
    ]);
    return Number(rows[0]?.removed ?? 0);
  });
}
