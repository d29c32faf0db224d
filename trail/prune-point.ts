import { z } from 'zod';
import { int8 } from '../catalog/int8';
import type { Queryable } from '../postgres/queryable';
import { installTrail } from './install-trail';
import type { TrailHead } from './seal-trail';

/**
 * SQL for the newest prune record as (position, hash): where the kept chain starts once older
 * entries were pruned (see prune-trail.ts). No rows when nothing was ever pruned.
 */
export const PRUNE_POINT_SQL = `select through as position, through_hash as hash from restorepoint_trail.prune order by run desc limit 1`;

const pointSchema = z.object({ position: int8, hash: z.string() });

/** The last pruned entry (position and hash), or null when the chain still starts at position 1. */
export async function readPrunePoint(client: Queryable): Promise<TrailHead | null> {
  await upgradeForPruning(client);
  const { rows } = await client.query(PRUNE_POINT_SQL);
  return rows[0] ? pointSchema.parse(rows[0]) : null;
}

/**
 * Trails installed before pruning existed lack its table and function; installing again adds
 * them (every statement of the install is idempotent) and changes no entry.
 */
export async function upgradeForPruning(client: Queryable): Promise<void> {
  const { rows } = await client.query<{ present: boolean }>(`select to_regclass('restorepoint_trail.prune') is not null as present`);
  if (!rows[0]?.present) await installTrail(client);
}
