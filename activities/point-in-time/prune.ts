import { listChainLinks } from '../../catalog/chain-repo';
import { appendLedger } from '../../catalog/ledger';
import { RestorepointError } from '../../core/errors';
import { baseShortfall, type ChainLink, type TrailPoint } from '../../core/restore-points';
import { ChainFollower, pruneTrailThrough, readPrunePoint, sealTrail, TRAIL_GENESIS_HASH, trailInstalled } from '../../trail';
import { resolveSource, type ActivityDeps } from '../deps';
import { loadVerifiedDeltaManifest } from '../incremental/load-delta-manifest';
import { withTrailClient } from '../incremental/trail-source';
import { readArchivePart } from './read-archive';

export interface PruneTrailInput {
  readonly source: string;
  /** Prune entries up to this position; default: as far as verified archives reach and every current chain allows. */
  readonly through?: number;
  readonly dryRun?: boolean;
  readonly requestedBy: string;
}

export interface PruneTrailResult {
  readonly source: string;
  readonly dryRun: boolean;
  /** Where the kept chain started before, and the last entry pruned (unchanged: nothing to prune). */
  readonly from: TrailPoint;
  readonly through: TrailPoint;
  /** The incremental exports whose archived entries were verified to cover the range. */
  readonly archives: readonly string[];
  readonly removed: number;
}

export function createPruneActivities(deps: ActivityDeps) {
  return {
    /**
     * Removes sealed entries from the source's trail once an archived copy is proven: the
     * incremental exports covering (prune point, through] are read back in full (manifest
     * against the catalog, parts against their checksums), their entries followed as a hash
     * chain from the current prune point, and the archived hash at `through` must equal the
     * source's (checked again inside the database, under the sealers' lock). Without `through`,
     * it stops where the newest chain of each destination still needs entries for its next
     * delta. Every outcome is written to the ledger (`trail.pruned`).
     */
    async pruneTrail(input: PruneTrailInput): Promise<PruneTrailResult> {
      const subject = `trail:${input.source}`;
      try {
        const result = await prune(deps, input);
        await appendLedger(deps.catalog, { actor: input.requestedBy, action: 'trail.pruned', subject, outcome: input.dryRun ? 'planned' : 'ok', details: { ...result } });
        return result;
      } catch (error) {
        const code = error instanceof RestorepointError ? error.code : (error as Error).name;
        await appendLedger(deps.catalog, { actor: input.requestedBy, action: 'trail.pruned', subject, outcome: 'failed', details: { error: code, message: (error as Error).message, through: input.through ?? null } });
        throw error;
      }
    },
  };
}

async function prune(deps: ActivityDeps, input: PruneTrailInput): Promise<PruneTrailResult> {
  const refuse = (problem: string) => new RestorepointError('PRUNE_REFUSED', problem, { source: input.source });
  return withTrailClient(resolveSource(deps.config, input.source).url, async (client) => {
    if (!(await trailInstalled(client))) throw refuse('the source has no change trail');
    const head = (await sealTrail(client)).head ?? { position: 0, hash: TRAIL_GENESIS_HASH };
    const from = (await readPrunePoint(client)) ?? { position: 0, hash: TRAIL_GENESIS_HASH };
    const links = (await listChainLinks(deps.catalog, { source: input.source })).filter((l) => l.status === 'succeeded');
    const limit = Math.min(input.through ?? Number.MAX_SAFE_INTEGER, head.position, input.through === undefined ? stillNeeded(links) : Number.MAX_SAFE_INTEGER);
    if (input.through !== undefined && input.through > head.position) throw refuse(`position ${input.through} is past the trail's sealed head ${head.position}`);
    if (input.through !== undefined && input.through <= from.position) throw refuse(`entries up to ${from.position} are already pruned`);

    // Follow archives from the prune point, each continuing where the last left off.
    const follower = new ChainFollower(from);
    const archives: string[] = [];
    while (follower.head.position < limit) {
      const at = follower.head;
      const next = links
        .filter((l) => l.mode === 'incremental' && l.trailFrom?.position === at.position && l.trailFrom.hash === at.hash && l.trailTo!.position > at.position)
        .sort((a, b) => b.trailTo!.position - a.trailTo!.position)[0];
      if (!next) break;
      await verifyArchive(deps, next, follower, limit);
      if (follower.head.position === at.position) throw refuse(`the archive in ${next.exportId} holds no entry after ${at.position}`);
      archives.push(next.exportId);
    }
    const through = follower.head;
    if (input.through !== undefined && through.position < input.through) {
      throw refuse(`verified archives reach position ${through.position} only, not ${input.through}: take an incremental export first`);
    }
    if (through.position === from.position || input.dryRun) return { source: input.source, dryRun: Boolean(input.dryRun), from, through, archives, removed: 0 };
    const removed = await pruneTrailThrough(client, through, { exports: archives, verifiedAt: deps.clock().toISOString() });
    return { source: input.source, dryRun: false, from, through, archives, removed };
  });
}

/** Reads a delta's archived entries back in full, following the chain, up to `limit`. */
async function verifyArchive(deps: ActivityDeps, link: ChainLink, follower: ChainFollower, limit: number): Promise<void> {
  const { manifest, store, cipher } = await loadVerifiedDeltaManifest(deps, link.exportId);
  for (const part of manifest.parts) {
    const check = await readArchivePart(store, part, manifest.compression, cipher, (entry) => {
      if (entry.position > limit) return null;
      const fault = follower.follow(entry);
      return fault ? `entry ${fault.position}: ${fault.reason}` : null;
    });
    if (check.status !== 'ok') throw new RestorepointError('PRUNE_REFUSED', `the archive in ${link.exportId} does not verify: ${check.problem}`, { exportId: link.exportId });
  }
}

/**
 * The lowest position a current chain still needs: for each destination, the tip of the chain
 * of its newest full export that can start a chain of every table (a backup taken without a
 * table selection), and of each partial backup newer than it (a delta naming its tables may
 * still follow it). Their next deltas start there, so entries after it must stay. A rollback's
 * safety snapshot starts no chain, so it never moves this forward.
 */
function stillNeeded(links: readonly ChainLink[]): number {
  const bases = links
    .filter((l) => l.mode === 'full' && l.trailTo !== null && l.asOf !== null && l.role === 'backup')
    .sort((a, b) => Date.parse(b.asOf!) - Date.parse(a.asOf!));
  const current: ChainLink[] = [];
  for (const destination of new Set(bases.map((b) => b.destination))) {
    const newestFirst = bases.filter((b) => b.destination === destination);
    const whole = newestFirst.findIndex((b) => baseShortfall(b, []) === null);
    current.push(...newestFirst.slice(0, whole < 0 ? 1 : whole + 1));
  }
  let needed = Number.MAX_SAFE_INTEGER;
  for (const base of current) {
    const tip = links.filter((l) => l.baseExportId === base.exportId && l.trailTo !== null).reduce((max, l) => Math.max(max, l.trailTo!.position), base.trailTo!.position);
    needed = Math.min(needed, tip);
  }
  return needed;
}
