import { listChainLinks } from '../../catalog/chain-repo';
import { RestorepointError } from '../../core/errors';
import type { ExportInput } from '../../core/export-input';
import type { Manifest } from '../../core/manifest';
import { baseShortfall, pickParent, type ChainLink } from '../../core/restore-points';
import { exactTablePattern, hasWildcard, patternMatcher, selectTables } from '../../core/table-patterns';
import { trackedTables } from '../../trail';
import { resolveSource, type ActivityDeps } from '../deps';
import { withTrailClient } from './trail-source';

/**
 * The tables an incremental export's chain must hold, as `schema.table`: the source's tracked
 * tables that its selection names (`tables` patterns, or every tracked table of `schemas`, less
 * `exclude`). Its deltas archive the changes of every tracked table, but a reconstruction can
 * only apply them to tables its base holds.
 */
export async function wantedTables(deps: ActivityDeps, input: ExportInput): Promise<string[]> {
  const tracked = await withTrailClient(resolveSource(deps.config, input.source).url, (client) => trackedTables(client));
  const untracked = input.tables.filter((pattern) => !hasWildcard(pattern) && !tracked.some(patternMatcher(pattern)));
  if (untracked.length > 0) throw new RestorepointError('NOT_TRACKED', `${untracked.join(', ')} ${untracked.length === 1 ? 'is' : 'are'} not tracked: run \`restorepoint track\` on ${untracked.length === 1 ? 'it' : 'them'}, then take a full export`, { tables: untracked });
  const inScope = input.tables.length > 0 || input.schemas.length === 0 ? tracked : tracked.filter((t) => input.schemas.includes(t.schema));
  return selectTables(inScope, input.tables, input.exclude).map(exactTablePattern);
}

/** The parent an incremental export follows: the one it names, or the newest whose chain starts from a base holding `wanted`. */
export async function chooseParent(deps: ActivityDeps, input: ExportInput, wanted: readonly string[]): Promise<string> {
  if (input.parentExportId) return input.parentExportId;
  const picked = pickParent(await listChainLinks(deps.catalog, { source: input.source }), input.source, input.destination, wanted, input.exportId);
  if (!picked.ok) throw new RestorepointError('CHAIN_BROKEN', picked.problem, { tables: wanted });
  return picked.parent.exportId;
}

/**
 * Refuses a proven chain whose base cannot hold `wanted` by what its manifest lists (a parent
 * named by hand, or a catalog that had no record of the base's tables): a rollback's safety
 * snapshot, or an export without some of the tables. Its deltas would archive their changes,
 * but no reconstruction could apply them.
 */
export function checkBaseHolds(baseLink: ChainLink, base: Manifest, wanted: readonly string[]): void {
  const shortfall = baseShortfall({ ...baseLink, tables: base.tables.map((t) => `${t.schema}.${t.name}`).sort() }, wanted);
  if (shortfall !== null) {
    throw new RestorepointError('CHAIN_BROKEN', `the chain's base cannot hold what this export tracks: ${shortfall}. Take a full export of those tables, or name the base's tables with --tables`, { exportId: baseLink.exportId, tables: wanted });
  }
}
