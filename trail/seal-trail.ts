import { z } from 'zod';
import { int8 } from '../catalog/int8';
import type { Queryable } from '../postgres/queryable';
import { archivableEntry, type ArchivableEntry } from './archived-entry';
import { canonicalEntrySql, chainHash, TRAIL_GENESIS_HASH } from './entry-hash';
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

/** Where a sealing starts, known under the sealing lock before any entry is sealed. */
export interface SealStart {
  /** The head sealed earlier (after pruning everything sealed, the prune point; position 0 and the genesis hash when none). */
  readonly head: TrailHead;
  /** The database's clock and snapshot just before the entries to seal are read: whatever committed before them is sealed now or was earlier. */
  readonly at: Date;
  readonly snapshot: string;
}

/**
 * Lets a caller archive what it seals without reading it back (incremental exports do). Both run
 * inside the sealing's transaction, under its lock: no other sealer can add to the chain
 * meanwhile, and a throw rolls the whole sealing back.
 */
export interface SealHooks {
  /** Before any entry is sealed, e.g. to read the entries sealed earlier, which the new ones follow. */
  readonly beforeSealing?: (start: SealStart) => Promise<void>;
  /** Each page of newly sealed entries, in position order, before it is committed. */
  readonly onSealed?: (entries: readonly ArchivableEntry[]) => Promise<void>;
}

/** Entries hashed and inserted per round trip; a page of canonical texts is a few MB at most. */
const PAGE = 5000;
const CURSOR = 'restorepoint_trail_pending';

const startSchema = z.object({ position: int8, hash: z.string(), since: z.string(), horizon: z.string(), at: z.date(), snapshot: z.string() });
/**
 * Gives every committed, unsealed entry its chain position and hash, in commit order, and
 * returns the new head. Safe to run at any time and from several places at once (`trail verify`,
 * exports, a periodic job): sealers queue on an advisory lock, never on the app's writers.
 *
 * Why this is correct under concurrent writers: capture writes entries unhashed, so writers
 * never wait on each other. Sealing reads the pending entries through one cursor, whose
 * snapshot sees exactly the entries committed before it, and records as the horizon the xmin of
 * a snapshot taken just before it: every transaction older than that had finished, so the next
 * sealing only needs entries from transactions at or after it (the `(xid, seq)` index makes that
 * a range scan).
 *
 * Commit order: positions go to newly committed transactions after all earlier sealings'
 * entries, and within one sealing by each transaction's last `seq`, then `seq`. PostgreSQL does
 * not expose commit order (track_commit_timestamp is off by default), but this order agrees with
 * it wherever order matters: when two transactions change the same row the second waits for the
 * first to commit before its change gets a `seq`, and a transaction can only read another's
 * changes after that one committed. Each transaction's entries stay together.
 *
 * The database numbers the entries and renders each one's canonical text (entry-hash.ts); Node
 * chains the hashes with `chainHash`, the function verification recomputes them with, and
 * inserts the seals a page at a time. So a backlog costs one sort and a round trip per page, the
 * chain has one implementation, and a caller archiving the entries (`hooks`) gets them as they
 * are sealed instead of asking the database for their text a second time. `client` must be one
 * connection.
 */
export async function sealTrail(client: Queryable, hooks: SealHooks = {}): Promise<SealResult> {
  if (!(await trailInstalled(client))) return { sealed: 0, head: null };
  await upgradeForPruning(client);
  return inTransaction(client, 'read committed', async () => {
    // The lock is taken before the next statement starts, so that statement's snapshot already
    // sees the previous sealer's commit (hence READ COMMITTED).
    await client.query('select pg_advisory_xact_lock($1::bigint)', [SEAL_LOCK_KEY]);
    const start = startSchema.parse((await client.query(START_SQL, [TRAIL_GENESIS_HASH])).rows[0]);
    let head: TrailHead = { position: start.position, hash: start.hash };
    await hooks.beforeSealing?.({ head, at: start.at, snapshot: start.snapshot });
    // The cursor's snapshot is taken after START_SQL's, so its xmin is at least `horizon`.
    await client.query(`declare ${CURSOR} no scroll cursor for ${PENDING_SQL}`, [head.position, start.since]);
    // The database renders the next page while Node hashes and hands on this one.
    const fetchPage = () => settledLater(client.query(`fetch ${PAGE} from ${CURSOR}`));
    for (let next = fetchPage(); ; ) {
      const { rows } = await next;
      if (rows.length === 0) break;
      next = fetchPage();
      const seals = { positions: [] as number[], xids: [] as string[], seqs: [] as string[], hashes: [] as string[] };
      const entries = rows.map((row): ArchivableEntry => {
        const entry = archivableEntry(row, (canonical) => chainHash(head.hash, canonical));
        head = { position: entry.position, hash: entry.hash };
        seals.positions.push(entry.position);
        seals.xids.push(String(row.xid));
        seals.seqs.push(String(row.seq));
        seals.hashes.push(entry.hash);
        return entry;
      });
      const inserted = settledLater(
        client.query(
          `insert into restorepoint_trail.seal (position, xid, seq, hash)
           select * from unnest($1::bigint[], $2::xid8[], $3::bigint[], $4::text[])`,
          [seals.positions, seals.xids, seals.seqs, seals.hashes],
        ),
      );
      await hooks.onSealed?.(entries);
      await inserted;
    }
    await client.query(`close ${CURSOR}`);
    const sealed = head.position - start.position;
    if (sealed > 0) {
      await client.query('insert into restorepoint_trail.seal_run (horizon, entries, last_position) values ($1::xid8, $2, $3)', [start.horizon, sealed, head.position]);
    }
    return { sealed, head: head.position === 0 ? null : head };
  });
}

/** `promise` itself, marked handled: it is awaited later, and a throw before then must not leave an unhandled rejection. */
function settledLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** SQL for the horizon the last sealing reached: entries of older transactions are all sealed. */
export const LAST_HORIZON_SQL = `coalesce((select horizon from restorepoint_trail.seal_run order by run desc limit 1), '0'::xid8)`;

/** The head sealed so far (or the prune point, or genesis), the last and next horizons, and the clock. */
const START_SQL = `
  select h.position, h.hash, ${LAST_HORIZON_SQL}::text as since, pg_snapshot_xmin(pg_current_snapshot())::text as horizon,
         clock_timestamp() as at, pg_current_snapshot()::text as snapshot
    from ((select position, hash from restorepoint_trail.seal order by position desc limit 1)
          union all (${PRUNE_POINT_SQL})
          union all select 0::bigint, $1::text) h
   order by h.position desc limit 1`;

/**
 * The committed, unsealed entries of transactions from the last horizon ($2) on, in commit
 * order, numbered after the head ($1), with their canonical text.
 *
 * The horizon is a parameter, not a subquery, so the plan is made for its value: a range of the
 * `(xid, seq)` index and one seal lookup per entry. (As a subquery, the planner guessed a third
 * of the trail and hashed the whole seal table, so every sealing cost as much as the trail was
 * long.) Only (xid, seq) pairs are sorted; each row is then looked up in that order, and ordering
 * by the numbering's own key rather than `position` lets the plan stream without sorting the
 * wide rows again: the first page comes before the whole backlog is rendered.
 */
const PENDING_SQL = `
  with pending as (
    select c.xid, c.seq, max(c.seq) over (partition by c.xid) as last_seq
      from restorepoint_trail.change c
     where c.xid >= $2::xid8
       and not exists (select 1 from restorepoint_trail.seal x where x.xid = c.xid and x.seq = c.seq)
  ),
  numbered as (
    select p.xid, p.seq, p.last_seq, $1::bigint + row_number() over (order by p.last_seq, p.seq) as position from pending p
  )
  select n.position, n.xid::text as xid, n.seq::text as seq, c.schema_name, c.table_name, c.op,
         ${canonicalEntrySql('n.position', 'c')} as canonical
    from numbered n
         cross join lateral (select * from restorepoint_trail.change c where c.xid = n.xid and c.seq = n.seq) c
   order by n.last_seq, n.seq`;
