import type pg from 'pg';
import { RestorepointError } from '../../core/errors';
import type { TrailPoint } from '../../core/restore-points';
import { copyInJsonlStatement } from '../../postgres/copy-statements';
import { ChainFollower, readArchivableEntries, sealTrail, TRAIL_GENESIS_HASH } from '../../trail';
import type { ActivityDeps } from '../deps';
import { loadVerifiedDeltaManifest } from '../incremental/load-delta-manifest';
import { withTrailClient } from '../incremental/trail-source';
import { loadPart } from '../restore/load-part';

const PAGE = 5000;

/** Temporary tables (dropped at commit) that hold the entries to replay, keyed by position. */
export async function createEntryTables(target: pg.ClientBase): Promise<void> {
  await target.query('create temporary table restorepoint_entries (position bigint primary key, canonical jsonb not null) on commit drop');
  await target.query('create temporary table restorepoint_lines (line text) on commit drop');
}

/**
 * Loads an incremental export's archived entries into the target session. The manifest is
 * proven against the catalog and every part against the manifest (checksums and entry count)
 * while it streams, so what is replayed is what was exported.
 */
export async function loadDeltaEntries(deps: ActivityDeps, target: pg.ClientBase, exportId: string): Promise<number> {
  const { manifest, store, cipher } = await loadVerifiedDeltaManifest(deps, exportId);
  let loaded = 0;
  for (const part of manifest.parts) {
    await target.query('truncate restorepoint_lines');
    loaded += await loadPart(target, store, part, manifest.compression, copyInJsonlStatement('restorepoint_lines'), cipher);
    await target.query(
      `insert into restorepoint_entries (position, canonical)
       select (l.line::jsonb ->> 'position')::bigint, (l.line::jsonb ->> 'canonical')::jsonb from restorepoint_lines l
       on conflict (position) do nothing`,
    );
  }
  return loaded;
}

/**
 * Copies the source's sealed entries after `from` into the target session, following the hash
 * chain from `from` (a gap, a missing entry or a broken hash refuses the reconstruction).
 */
export async function loadLiveEntries(sourceUrl: string, target: pg.ClientBase, from: TrailPoint): Promise<number> {
  return withTrailClient(sourceUrl, async (client) => {
    const head = (await sealTrail(client)).head ?? { position: 0, hash: TRAIL_GENESIS_HASH };
    const follower = new ChainFollower(from);
    for (let after = from.position; after < head.position; ) {
      const page = await readArchivableEntries(client, after, head.position, PAGE);
      for (const row of page) {
        const fault = row.canonical === null ? { position: row.position, reason: 'entry missing' } : follower.follow(row);
        if (fault) throw new RestorepointError('CHAIN_BROKEN', `the source's trail does not verify at position ${fault.position}: ${fault.reason}`, { position: fault.position });
      }
      if (page.length === 0) throw new RestorepointError('CHAIN_BROKEN', `entries after ${after} are missing from the source's trail (pruned?)`, { position: after + 1 });
      await target.query(
        `insert into restorepoint_entries (position, canonical)
         select p, c::jsonb from unnest($1::bigint[], $2::text[]) as u(p, c) on conflict (position) do nothing`,
        [page.map((e) => e.position), page.map((e) => e.canonical)],
      );
      after = page.at(-1)!.position;
    }
    return head.position - from.position;
  });
}

/**
 * The entries to replay, decoded: those of transactions whose last change is at or before
 * `at` (commit times are not recorded, so a transaction counts as happening at its last
 * change), minus those the base snapshot already holds (committed after the base's trail
 * position was sealed but before its snapshot was taken).
 */
export async function selectReplay(target: pg.ClientBase, at: string, baseSnapshot: string): Promise<number> {
  const { rowCount } = await target.query(
    `create temporary table restorepoint_replay on commit drop as
       select position, canonical ->> 5 as schema_name, canonical ->> 6 as table_name, canonical ->> 7 as op,
              canonical -> 9 as old_row, canonical -> 10 as new_row, canonical ->> 11 as partition_name
         from (select e.*, max((e.canonical ->> 4)::timestamptz) over (partition by e.canonical ->> 3) as last_at from restorepoint_entries e) e
        where e.last_at <= $1::timestamptz and not pg_visible_in_snapshot((e.canonical ->> 3)::xid8, $2::pg_snapshot)`,
    [at, baseSnapshot],
  );
  await target.query('create index on restorepoint_replay (schema_name, table_name, position)');
  return rowCount ?? 0;
}
