import { z } from 'zod';
import { int8 } from '../catalog/int8';
import type { Queryable } from '../postgres/queryable';
import { canonicalEntrySql, TRAIL_GENESIS_HASH } from './entry-hash';
import { trailInstalled } from './install-trail';
import { PRUNE_POINT_SQL, upgradeForPruning } from './prune-point';
import { inTransaction } from './transaction';

/** Advisory lock key serializing sealers, the ASCII tag 'rp-trsea' read as a bigint. */
export const SEAL_LOCK_KEY = '8246140895874999649';

/** The last sealed entry: what a later verification, or a copy kept elsewhere, can check against. */
export interface TrailHead {
  readonly position: number;
  readonly hash: string;
}

export interface SealResult {
  /** Entries this call sealed. */
  readonly sealed: number;
  /** The chain's head afterwards; null while nothing has been sealed. */
  readonly head: TrailHead | null;
}

const sealRowSchema = z.object({ entries: int8, last_position: int8.nullable(), head_hash: z.string().nullable() });

/**
 * Gives every committed, unsealed entry its chain position and hash, in commit order, and
 * returns the new head. Safe to run at any time and from several places at once (`trail verify`,
 * exports, a periodic job): sealers queue on an advisory lock, never on the app's writers.
 *
 * Why this is correct under concurrent writers: capture writes entries unhashed, so writers
 * never wait on each other. Sealing happens in one statement, which sees exactly the entries
 * committed before its snapshot, and records the snapshot's xmin as the horizon: every
 * transaction older than it had finished, so the next sealing only needs entries from
 * transactions at or after it (the `(xid, seq)` index makes that a range scan).
 *
 * Commit order: positions go to newly committed transactions after all earlier sealings'
 * entries, and within one sealing by each transaction's last `seq`, then `seq`. PostgreSQL does
 * not expose commit order (track_commit_timestamp is off by default), but this order agrees with
 * it wherever order matters: when two transactions change the same row the second waits for the
 * first to commit before its change gets a `seq`, and a transaction can only read another's
 * changes after that one committed. Each transaction's entries stay together.
 *
 * Hashing runs in the database as a window aggregate (restorepoint_trail.hash_chain) so a large
 * backlog costs one statement, not a round trip per entry. `client` must be one connection.
 */
export async function sealTrail(client: Queryable): Promise<SealResult> {
  if (!(await trailInstalled(client))) return { sealed: 0, head: null };
  await upgradeForPruning(client);
  return inTransaction(client, 'read committed', async () => {
    // The lock is taken before the sealing statement starts, so that statement's snapshot
    // already sees the previous sealer's commit (hence READ COMMITTED).
    await client.query('select pg_advisory_xact_lock($1::bigint)', [SEAL_LOCK_KEY]);
    const { rows } = await client.query(
      `with snapshot as (select pg_snapshot_xmin(pg_current_snapshot()) as horizon),
            head as (
              -- The last sealed entry; after pruning everything sealed, the last pruned one.
              select h.position, h.hash from (
                (select position, hash from restorepoint_trail.seal order by position desc limit 1)
                union all (${PRUNE_POINT_SQL})
                union all select 0::bigint, $1::text
              ) h order by h.position desc limit 1
            ),
            pending as (
              select c.*, max(c.seq) over (partition by c.xid) as last_seq
                from restorepoint_trail.change c
               where c.xid >= coalesce((select horizon from restorepoint_trail.seal_run order by run desc limit 1), '0'::xid8)
                 and not exists (select 1 from restorepoint_trail.seal x where x.xid = c.xid and x.seq = c.seq)
            ),
            numbered as (
              select p.*, head.position + row_number() over (order by p.last_seq, p.seq) as position
                from pending p cross join head
            ),
            sealed as (
              insert into restorepoint_trail.seal (position, xid, seq, hash)
              select n.position, n.xid, n.seq,
                     restorepoint_trail.hash_chain((select hash from head), ${canonicalEntrySql('n.position', 'n')}) over (order by n.position)
                from numbered n
              returning position, hash
            ),
            run as (
              insert into restorepoint_trail.seal_run (horizon, entries, last_position)
              select snapshot.horizon, (select count(*) from sealed), (select max(position) from sealed) from snapshot
               where exists (select 1 from sealed)
            )
       select (select count(*) from sealed) as entries,
              coalesce((select max(position) from sealed), (select position from head)) as last_position,
              coalesce((select hash from sealed order by position desc limit 1), (select hash from head)) as head_hash`,
      [TRAIL_GENESIS_HASH],
    );
    const result = sealRowSchema.parse(rows[0]);
    const head = result.last_position && result.head_hash ? { position: result.last_position, hash: result.head_hash } : null;
    return { sealed: result.entries, head };
  });
}
